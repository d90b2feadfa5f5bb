import type { PlaybackSession } from '@marquee/contracts/api';
import { api, ApiError } from '../api/client';
import { fetchKeyAhead } from './content-key-ahead';
import { budgetFor, PrefetchSpending, type ConnectionHints } from './prepare-budget';
import { codecFamilies, startPlaylists, startSegments } from './prepare-playlists';

/**
 * Instant play (issue 23): a title the viewer lingers on is prepared — streaming authorises its
 * playback without a stream slot or a view (POST /api/playback/prepare), and the session's master, the
 * start rendition's playlist and its init and first segment are fetched into memory, within the
 * prefetch budget. Play then opens the prepared session (one call) and hls.js is answered from memory
 * (prepare-loader.ts): the edge's master is `no-store` and the player's requests carry CMCD queries,
 * so the HTTP cache could not serve them.
 */
export type PreparedSession = PlaybackSession & { titleId?: string; preparedUntil: string };

/** What was fetched ahead, with its real timings (hls.js's bandwidth estimate is fed these). */
export interface Prefetched {
  data: string | ArrayBuffer;
  bytes: number;
  /** performance.now() at request, first byte and end. */
  timing: { start: number; first: number; end: number };
  /** A master whose variants are of one codec family: the same whatever `?codec=` asks for. */
  anyCodec?: boolean;
}

interface Preparation {
  session: PreparedSession;
  files: string[];
}

/** A preparation is not used this close to its end: Play must reach streaming before it lapses. */
const MARGIN_MS = 30_000;
/** Preparations kept at once: a viewer sweeping a row replaces the oldest. */
const KEPT = 4;

const preparations = new Map<string, Preparation>();
const pending = new Map<string, Promise<void>>();
const files = new Map<string, Prefetched>();
const spending = new PrefetchSpending();

const keyOf = (profileId: string, titleId: string) => `${profileId}/${titleId}`;

/** `url` without the named query arguments. */
function without(url: string, names: readonly string[]): string {
  try {
    const u = new URL(url);
    if (!names.some((n) => u.searchParams.has(n))) return url;
    for (const n of names) u.searchParams.delete(n);
    return u.href;
  } catch {
    return url;
  }
}

/** The URL without hls.js's CMCD query argument, which differs on every request. */
export function withoutCmcd(url: string): string {
  return without(url, ['CMCD']);
}

/**
 * Hands a prefetched file to the player, once (a second ask, a retry, goes to the network). The player
 * may ask for the master with `?codec=` (one codec family): a master of one family is what the edge
 * answers for any `codec` (it keeps every variant when the family asked for is absent), so the
 * prefetched one serves it.
 */
export function takePrefetched(url: string): Prefetched | undefined {
  let key = withoutCmcd(url);
  let hit = files.get(key);
  if (!hit) {
    const bare = without(url, ['CMCD', 'codec']);
    const master = files.get(bare);
    if (master?.anyCodec) [key, hit] = [bare, master];
  }
  files.delete(key);
  return hit;
}

/**
 * `localStorage['marquee.instantPlay'] = 'off'` turns preparing off in this browser: bench/startup's
 * cold row measures Play without it, and it is the switch for anyone who wants no prefetching at all.
 */
function instantPlayOff(): boolean {
  try {
    return localStorage.getItem('marquee.instantPlay') === 'off';
  } catch {
    return false;
  }
}

function forget(key: string): void {
  const p = preparations.get(key);
  if (!p) return;
  for (const f of p.files) files.delete(f);
  preparations.delete(key);
}

function fresh(p: Preparation): boolean {
  return Date.parse(p.session.preparedUntil) - MARGIN_MS > Date.now();
}

function connection(): ConnectionHints | undefined {
  return (navigator as Navigator & { connection?: ConnectionHints }).connection;
}

function playable(codecs: string): boolean {
  return typeof MediaSource === 'undefined' || MediaSource.isTypeSupported(`video/mp4; codecs="${codecs}"`);
}

async function fetchFile(url: string, as: 'text' | 'bytes', bytesLeft: number): Promise<Prefetched | null> {
  const start = performance.now();
  const controller = new AbortController();
  const res = await fetch(url, { credentials: 'omit', signal: controller.signal });
  const first = performance.now();
  const length = Number(res.headers.get('content-length') ?? 0);
  if (!res.ok || length > bytesLeft) {
    controller.abort();
    spending.spend({ requests: 1 });
    return null;
  }
  const data = as === 'text' ? await res.text() : await res.arrayBuffer();
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data).length : data.byteLength;
  spending.spend({ requests: 1, bytes });
  return { data, bytes, timing: { start, first, end: performance.now() } };
}

/** Fetches `urls` in order within the budget; stops at the first that does not fit or fails. */
async function fetchAll(p: Preparation, urls: string[], as: 'text' | 'bytes'): Promise<Prefetched[]> {
  const got: Prefetched[] = [];
  for (const url of urls) {
    const room = spending.mediaRoom(budgetFor(connection()));
    if (room === 0) break;
    const file = await fetchFile(url, as, room).catch(() => null);
    if (!file) break;
    files.set(url, file);
    p.files.push(url);
    got.push(file);
  }
  return got;
}

async function prefetch(p: Preparation): Promise<void> {
  const master = p.session.manifestUrl;
  const [masterFile] = await fetchAll(p, [master], 'text');
  if (!masterFile) return;
  masterFile.anyCodec = codecFamilies(masterFile.data as string).size <= 1;
  const start = startPlaylists(masterFile.data as string, master, playable);
  if (!start) return;
  const playlists = await fetchAll(p, start.playlists, 'text');
  const segments = playlists.flatMap((f, i) =>
    startSegments(f.data as string, start.playlists[i]!, p.session.resumeAt),
  );
  await fetchAll(p, segments, 'bytes');
}

/**
 * Prepares `titleId` for `profileId` unless it is prepared already or the budget is spent. Never
 * throws: a preparation that fails leaves Play to start cold, as before.
 */
export function preparePlayback(profileId: string, titleId: string): Promise<void> {
  if (instantPlayOff()) return Promise.resolve();
  const key = keyOf(profileId, titleId);
  const have = preparations.get(key);
  if (have && fresh(have)) return Promise.resolve();
  const running = pending.get(key);
  if (running) return running;
  if (!spending.mayPrepare(budgetFor(connection()))) return Promise.resolve();
  spending.spend({ prepares: 1 });
  const run = api<PreparedSession>('/api/playback/prepare', { method: 'POST', body: { profileId, titleId } })
    .then(async (session) => {
      forget(key);
      const p: Preparation = { session, files: [] };
      preparations.set(key, p);
      while (preparations.size > KEPT) forget(preparations.keys().next().value!);
      await prefetch(p);
    })
    .catch(() => undefined)
    .finally(() => pending.delete(key));
  pending.set(key, run);
  return run;
}

/** Starts of prepared sessions in flight: content keys wait for them (see keysMayLoad). */
const opening = new Set<Promise<unknown>>();

/**
 * Resolves once no prepared session is being opened. A content key is given to a started session
 * only, and hls.js, handed the prepared master before the start has answered, asks for the key as soon
 * as it has read the playlist: it waits here rather than be refused (a 4xx key is fatal to hls.js).
 */
export function keysMayLoad(): Promise<void> {
  return opening.size === 0 ? Promise.resolve() : Promise.allSettled([...opening]).then(() => keysMayLoad());
}

/**
 * Play: opens the title's preparation if one is fresh (one call, the prefetched files stay for the
 * player), else starts cold. With a preparation, `onPrepared` gets the prepared session at once, so
 * the player loads its master and first segments from memory while the start is in flight (the start
 * answers the same session and URLs); the start's own answer follows. A preparation that lapsed or was
 * refused as unknown (404) starts cold; any other refusal (the stream limit, say) is the viewer's
 * answer.
 */
export async function startPlayback(
  profileId: string,
  titleId: string,
  cold: () => Promise<PlaybackSession & { titleId?: string }>,
  onPrepared: (session: PlaybackSession & { titleId?: string }) => void = () => undefined,
): Promise<PlaybackSession & { titleId?: string }> {
  const key = keyOf(profileId, titleId);
  // A preparation still in flight when Play is pressed is worth its last few milliseconds.
  await pending.get(key);
  const p = preparations.get(key);
  if (!p || !fresh(p)) {
    forget(key);
    return startCold(cold);
  }
  // Taken: a preparation is opened once, and a second Play of the title starts cold. Its files wait
  // a minute for the player, then go (one it did not ask for is not kept for ever).
  preparations.delete(key);
  setTimeout(() => p.files.forEach((f) => files.delete(f)), 60_000);
  const started = api<PlaybackSession & { titleId?: string }>(`/api/playback/${p.session.sessionId}/start`, {
    method: 'POST',
  });
  opening.add(started);
  void started.catch(() => undefined).finally(() => opening.delete(started));
  onPrepared(p.session);
  try {
    return await started;
  } catch (err) {
    for (const f of p.files) files.delete(f);
    if (err instanceof ApiError && err.status === 404) return startCold(cold);
    throw err;
  }
}

/**
 * A cold start, whose content key is asked for the moment the session exists, beside the master
 * (content-key-ahead.ts): not after hls.js has read a media playlist, when the first segment is
 * already on its way.
 */
async function startCold<S extends PlaybackSession>(cold: () => Promise<S>): Promise<S> {
  const session = await cold();
  fetchKeyAhead(session);
  return session;
}
