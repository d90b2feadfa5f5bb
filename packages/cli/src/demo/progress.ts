/** A title as GET /api/admin/titles/:id answers it, as far as encoding progress goes. */
export interface TitleEncodeState {
  asset?: { state: string } | null;
  episodes?: TitleEncodeState[];
}

const FINAL = new Set(['ready', 'failed']);

/**
 * Whether a demo title's encoding is over (ready, or failed and said so in the console): a movie by
 * its asset, a series by every episode's. A title with nothing uploaded yet is not finished.
 */
export function encodeFinished(title: TitleEncodeState): boolean {
  if (title.episodes?.length) return title.episodes.every(encodeFinished);
  return title.asset ? FINAL.has(title.asset.state) : false;
}

/**
 * Asks after each title until every one is finished, telling `onChange` how many are whenever that
 * number moves. Stops quietly when the platform stops answering (it is shutting down); the console's
 * titles table says the rest.
 */
export async function followEncodes(
  titleIds: readonly string[],
  read: (titleId: string) => Promise<TitleEncodeState>,
  onChange: (finished: number, total: number) => void,
  options: { pollMs: number; sleep?: (ms: number) => Promise<void> } = { pollMs: 3_000 },
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  const finished = new Set<string>();
  let told = -1;
  while (finished.size < titleIds.length) {
    for (const id of titleIds) {
      if (finished.has(id)) continue;
      try {
        if (encodeFinished(await read(id))) finished.add(id);
      } catch {
        return;
      }
    }
    if (finished.size !== told) {
      told = finished.size;
      onChange(told, titleIds.length);
    }
    if (finished.size < titleIds.length) await sleep(options.pollMs);
  }
}
