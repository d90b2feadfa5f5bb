import type { PlaybackSession } from '@marquee/contracts/api';

/**
 * A started session's content key, asked for as soon as the start has answered (issue 23): hls.js
 * asks for it only once it has read the master and a media playlist, and the edge forwards it to
 * streaming, so on a cold Play the key arrived after the first segment and decryption waited for it.
 * Asked beside the master instead, it is here before the segment; hls.js's key request is answered
 * from it (prepare-loader.ts).
 *
 * Only for a started session (the start's answer): a prepared session's key is refused until Play,
 * and waits for the start (keysMayLoad). The key is held in memory for one hand-over — taken once,
 * dropped if hls.js has not asked for it within KEPT_MS — and fetched `no-store`, as the edge answers
 * it; a refusal or failure here is not kept either: hls.js then asks the edge itself and gets the
 * edge's own answer (a 403 stops playback as before).
 */

/** Where the key is: beside the master, under the session's token (the playlists' `../content.key`). */
const KEY_FILE = 'content.key';
/** A key hls.js has not asked for by now is not going to be asked for (the player went away). */
const KEPT_MS = 30_000;
/**
 * An early ask that has not answered by now is given up, and hls.js asks the edge itself, under its
 * own timeouts and retries (keyLoadPolicy): hls.js waits for this one with none.
 */
const WAIT_MS = 5_000;

/** Keys in flight or arrived, by URL path (`/t/<token>/a/<asset>/content.key`): any edge answers it. */
const ahead = new Map<string, Promise<ArrayBuffer | null>>();

function pathOf(url: string): string | null {
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

async function fetchKey(url: string): Promise<ArrayBuffer | null> {
  try {
    const res = await fetch(url, {
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(WAIT_MS),
    });
    if (!res.ok) return null;
    const key = await res.arrayBuffer();
    // AES-128: anything else is not a key, and hls.js's own request will say what it is.
    return key.byteLength === 16 ? key : null;
  } catch {
    return null;
  }
}

/** Asks for an encrypted session's key now, from the edge its master is on. */
export function fetchKeyAhead(session: Pick<PlaybackSession, 'manifestUrl' | 'encryption'>): void {
  if (session.encryption !== 'AES-128') return;
  const url = new URL(KEY_FILE, session.manifestUrl).href;
  const path = pathOf(url);
  if (!path || ahead.has(path)) return;
  const answer = fetchKey(url);
  ahead.set(path, answer);
  setTimeout(() => {
    if (ahead.get(path) === answer) ahead.delete(path);
  }, KEPT_MS);
}

/**
 * The key asked for ahead at `url` (on any edge: the path names session and asset), once; undefined
 * when none was. Resolves null when that request did not get a key.
 */
export function takeKeyAhead(url: string): Promise<ArrayBuffer | null> | undefined {
  const path = pathOf(url);
  const answer = path === null ? undefined : ahead.get(path);
  if (answer) ahead.delete(path!);
  return answer;
}
