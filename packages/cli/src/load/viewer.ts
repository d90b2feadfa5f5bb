import { answerKind, type Account, type Api } from './api.js';
import { RequestFailed } from './http.js';
import type { LoadMetrics } from './metrics.js';
import { SimulatedPlayer, type PlayerContext, type SessionPlan } from './player.js';
import type { Random } from './random.js';

export interface CatalogEntry {
  titleId: string;
  name: string;
  type: string;
}

/** How a simulated viewer behaves; the defaults are the documented model (docs/capacity.md). */
export interface Behaviour {
  /** Median watch time of a session (log-normal, σ 1: most sessions short, a long tail). */
  watchMedianMs: number;
  searchChance: number;
  seekChance: number;
  rateChance: number;
  listChance: number;
  /** Mean pause between two page loads, and between two sessions. */
  browseThinkMs: number;
  sessionThinkMs: number;
}

export const DEFAULT_BEHAVIOUR: Omit<Behaviour, 'watchMedianMs'> = {
  searchChance: 0.2,
  seekChance: 0.15,
  rateChance: 0.1,
  listChance: 0.1,
  browseThinkMs: 1_000,
  sessionThinkMs: 3_000,
};

export interface ViewerDeps {
  random: Random;
  metrics: LoadMetrics;
  player: PlayerContext;
  behaviour: Behaviour;
  /** The rank (by popularity) of the next title to watch. */
  pickRank(random: Random): number;
}

/** API mode: an account holder browsing, searching, playing, stopping, rating — until the run ends. */
export async function apiViewer(
  deps: ViewerDeps & { api: Api; account: Account; member: number; catalog: readonly CatalogEntry[] },
): Promise<void> {
  const { api, account, random, metrics, player, behaviour } = deps;
  try {
    await account.signIn(api);
  } catch {
    metrics.signInFailures++;
    return;
  }
  metrics.viewersReady++;
  const profileId = account.profiles[deps.member]!;
  const think = (mean: number) => player.sleep(random.exponential(mean));
  while (!player.stopping()) {
    try {
      await api.expect('home', 'GET', `/api/profiles/${profileId}/home`, undefined, account);
      await think(behaviour.browseThinkMs);
      const title = deps.catalog[deps.pickRank(random) % deps.catalog.length]!;
      if (random.chance(behaviour.searchChance)) {
        const word = title.name.split(/\s+/)[0] ?? title.name;
        const q = encodeURIComponent(word.slice(0, 40));
        await api.expect('search', 'GET', `/api/titles?q=${q}&profileId=${profileId}`, undefined, account);
        await think(behaviour.browseThinkMs);
      }
      if (player.stopping()) break;
      const detail = await api.expect(
        'title',
        'GET',
        `/api/titles/${title.titleId}?profileId=${profileId}`,
        undefined,
        account,
      );
      const titleId = playableId(detail.json, random) ?? title.titleId;
      await think(behaviour.browseThinkMs);
      if (player.stopping()) break;
      await watch(deps, profileId, titleId);
      if (random.chance(behaviour.rateChance)) {
        const path = `/api/profiles/${profileId}/ratings/${titleId}`;
        await api.expect('rating', 'PUT', path, { rating: random.chance(0.8) ? 'up' : 'down' }, account);
      }
      if (random.chance(behaviour.listChance)) {
        await api.expect(
          'mylist',
          'PUT',
          `/api/profiles/${profileId}/list/${title.titleId}`,
          undefined,
          account,
        );
      }
    } catch {
      // Counted where it happened; a viewer who met an error goes back to the home page after a pause.
    }
    await think(behaviour.sessionThinkMs);
  }
}

/** A series is played from one of its episodes. */
function playableId(detail: Record<string, unknown>, random: Random): string | undefined {
  const seasons = detail.seasons as { episodes: { titleId: string }[] }[] | undefined;
  const episodes = seasons?.flatMap((s) => s.episodes) ?? [];
  return episodes.length > 0 ? random.pick(episodes).titleId : undefined;
}

function sessionPlan(deps: ViewerDeps, start: number, manifestUrl: string, resumeAt: number): SessionPlan {
  const { random, metrics, behaviour } = deps;
  const watchMs = random.logNormal(behaviour.watchMedianMs, 1);
  return {
    manifestUrl,
    resumeAt,
    watchMs,
    ...(random.chance(behaviour.seekChance)
      ? { seek: { afterMs: random.next() * Math.min(watchMs, 60_000), to: random.next() } }
      : {}),
    onFirstSegment: () => {
      metrics.starts.playing++;
      metrics.startLatencies.push(performance.now() - start);
    },
  };
}

async function watch(
  deps: ViewerDeps & { api: Api; account: Account },
  profileId: string,
  titleId: string,
): Promise<void> {
  const { api, account, metrics, player } = deps;
  const start = performance.now();
  metrics.starts.attempted++;
  let answer;
  try {
    answer = await api.call('playback', 'POST', '/api/playback', { profileId, titleId }, account);
  } catch {
    metrics.starts.failed++;
    return;
  }
  if (answer.status === 403) {
    const code = answer.json.code;
    metrics.refused(typeof code === 'string' ? code : 'forbidden');
    return;
  }
  if (answer.status !== 201) {
    metrics.error(answerKind('playback', answer));
    metrics.starts.failed++;
    return;
  }
  const session = answer.json as {
    sessionId: string;
    manifestUrl: string;
    resumeAt: number;
    heartbeatIntervalSeconds: number;
  };
  const sessionPath = `/api/playback/${session.sessionId}`;
  const plan = sessionPlan(deps, start, session.manifestUrl, session.resumeAt ?? 0);
  plan.heartbeat = {
    everyMs: (session.heartbeatIntervalSeconds || 15) * 1000,
    send: (position) =>
      api
        .expect('heartbeat', 'POST', `${sessionPath}/heartbeat`, { position }, account)
        .then(() => undefined),
  };
  metrics.playingNow++;
  const result = await new SimulatedPlayer(player).play(plan);
  metrics.playingNow--;
  metrics.sessionsEnded++;
  if (!result.started) metrics.starts.failed++;
  await stopSession(api, account, sessionPath, Math.floor(result.position));
}

/** A stop that met no answer or a 5xx is sent again (twice, a second apart): stopping twice is harmless. */
const STOP_RETRIES = 2;

/**
 * Stops a session, counting a failed stop as an error but trying again: a stop never made holds the
 * household's stream slot for the lease's TTL (a minute), and refuses its next starts with
 * `playback.stream_limit` — in this run, and in the next run on the same accounts.
 */
export async function stopSession(api: Api, account: Account, path: string, position: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let status: number | undefined;
    try {
      status = (await api.expect('stop', 'DELETE', path, { position }, account)).status;
    } catch (err) {
      status = err instanceof RequestFailed ? err.status : undefined;
    }
    const retryable = status === undefined || status >= 500;
    if ((status !== undefined && status < 300) || !retryable || attempt >= STOP_RETRIES) return;
    // Not the run's clock: its sleeps end at once when the run stops, and most stops come after that.
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Reference mode: the same player on static master playlists, with no API at all. */
export async function staticViewer(deps: ViewerDeps & { masters: readonly string[] }): Promise<void> {
  const { random, metrics, player, behaviour } = deps;
  metrics.viewersReady++;
  while (!player.stopping()) {
    const manifestUrl = deps.masters[deps.pickRank(random) % deps.masters.length]!;
    const start = performance.now();
    metrics.starts.attempted++;
    metrics.playingNow++;
    const result = await new SimulatedPlayer(player).play(sessionPlan(deps, start, manifestUrl, 0));
    metrics.playingNow--;
    metrics.sessionsEnded++;
    if (!result.started) metrics.starts.failed++;
    await player.sleep(random.exponential(behaviour.sessionThinkMs));
  }
}
