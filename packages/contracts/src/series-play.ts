/**
 * Which episode Play on a series starts: shared by streaming (which starts it) and the web app (whose
 * button says "Resume S1:E3" or "Play S1:E1" before it is pressed), so the two cannot disagree.
 */
/** An episode as Play on its series sees it, in catalog order (season, then number). */
export interface EpisodeRef {
  titleId: string;
}

/** One viewing from a profile's history, most recent first. */
export interface ViewingRef {
  titleId: string;
  completed: boolean;
}

/**
 * The episode Play on a series starts, as a streaming service does it: the most recently watched episode
 * of the series when it is unfinished (resume), the one after it when it is finished, and the first
 * episode when the series was never watched or its last episode was finished (start over). `episodes`
 * are the playable ones in order; undefined when there are none.
 */
export function episodeToPlay(
  episodes: readonly EpisodeRef[],
  recentFirst: readonly ViewingRef[],
): string | undefined {
  if (episodes.length === 0) return undefined;
  const order = new Map(episodes.map((e, i) => [e.titleId, i]));
  const last = recentFirst.find((v) => order.has(v.titleId));
  if (!last) return episodes[0]!.titleId;
  const at = order.get(last.titleId)!;
  if (!last.completed) return last.titleId;
  return (episodes[at + 1] ?? episodes[0]!).titleId;
}
