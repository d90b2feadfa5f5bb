import { NotFoundError, type Logger } from '@marquee/core';
import type { Cache } from '@marquee/platform';
import { planHome, planPopular, type RowLimits } from './home-plan.js';
import type { ContinueWatchingEntry, Home } from './home-rows.js';
import { profileCeiling, type Maturity } from '@marquee/contracts';
import { profileSignals, type HistoryFacts } from './personal-ranking.js';
import type { ModelSnapshot } from './training.js';
import { RecentPages } from './recent-pages.js';
import type { ProfileInfo, UsersDirectory } from './users-directory.js';

export interface HomeCacheTtls {
  /** A complete home page. */
  homeMs: number;
  /** A page built without the users service: retried soon. */
  degradedMs: number;
  /** The per-profile generation counter; must outlive homeMs by far (see invalidate). */
  generationMs: number;
  popularMs: number;
  /** This instance's memo of ready-to-send pages in front of the shared cache: age and size bounds. */
  recentMs: number;
  recentEntries: number;
}

export const DEFAULT_HOME_TTLS: HomeCacheTtls = {
  homeMs: 10 * 60_000,
  degradedMs: 10_000,
  generationMs: 24 * 60 * 60_000,
  popularMs: 60_000,
  recentMs: 30_000,
  recentEntries: 2_000,
};

export interface HomeServiceDeps {
  history: {
    profileHistory(profileId: string): Promise<HistoryFacts[]>;
    profile(profileId: string): Promise<{ kids: boolean; maxMaturity: Maturity } | undefined>;
  };
  users: UsersDirectory;
  model(): ModelSnapshot;
  cache: Cache;
  logger: Logger;
  limits: RowLimits;
  ttls: HomeCacheTtls;
}

interface CachedHome extends Home {
  degraded: boolean;
}

interface CachedPage {
  json: string;
  degraded: boolean;
}

/** The strictest ceiling: what a profile gets when nobody can say what it may watch. */
const UNKNOWN_PROFILE_CEILING: Maturity = 'G';

/**
 * Home pages, precomputed per profile on first request and cached under
 * `recs:home:<model version>:<profile generation>:<profile>`. A new model version (retraining) and a
 * new generation (any event of that profile bumps a counter) both address a fresh key, so invalidation
 * works across recommender instances and cannot be undone by a page that was being built from the old
 * history at the time: that page lands under the old key, which nobody reads any more.
 */
export class HomeService {
  private readonly recent: RecentPages;

  constructor(private readonly deps: HomeServiceDeps) {
    this.recent = new RecentPages(deps.ttls.recentEntries, deps.ttls.recentMs);
  }

  /**
   * The page as UTF-8 JSON, ready to send. Looked up in this instance's recent pages, then the shared
   * cache (where it is kept as JSON text), then built.
   */
  async homePage(profileId: string): Promise<Buffer> {
    const { cache, ttls } = this.deps;
    const snapshot = this.deps.model();
    const generation = (await cache.get<number>(generationKey(profileId))) ?? 0;
    const key = `recs:home:${snapshot.version}:${generation}:${profileId}`;
    const recent = this.recent.get(key);
    if (recent) return recent;
    let built = false;
    const page = await cache.getOrLoad<CachedPage>(key, ttls.homeMs, async () => {
      built = true;
      const home = await this.build(profileId, snapshot);
      return { json: JSON.stringify({ rows: home.rows }), degraded: home.degraded };
    });
    // A page missing the users rows is kept only briefly. Only the request that built it shortens its
    // life: re-setting it on every hit would keep it alive for as long as requests keep coming.
    if (built && page.degraded) await cache.set(key, page, ttls.degradedMs);
    const body = Buffer.from(page.json);
    this.recent.set(key, body, page.degraded ? 0 : ttls.recentMs);
    return body;
  }

  /** Forgets a profile's cached page (its next request is computed from its current history). */
  async invalidate(profileId: string): Promise<void> {
    await this.deps.cache.increment(generationKey(profileId), this.deps.ttls.generationMs);
  }

  /** Popular and genre rows for a maturity ceiling, for the gateway's fallback. */
  async popular(ceiling: Maturity): Promise<Home> {
    const snapshot = this.deps.model();
    return this.deps.cache.getOrLoad(
      `recs:popular:${snapshot.version}:${ceiling}`,
      this.deps.ttls.popularMs,
      async () => planPopular(snapshot, ceiling, this.deps.limits),
    );
  }

  private async build(profileId: string, snapshot: ModelSnapshot): Promise<CachedHome> {
    const { users, history, logger } = this.deps;
    const [profile, continueWatching, myList, facts] = await Promise.allSettled([
      users.profile(profileId),
      users.continueWatching(profileId),
      users.myList(profileId),
      history.profileHistory(profileId),
    ]);
    if (facts.status === 'rejected') throw facts.reason;
    if (profile.status === 'fulfilled' && profile.value === undefined)
      throw new NotFoundError('profile', profileId);
    const failed = [profile, continueWatching, myList].filter((r) => r.status === 'rejected');
    for (const r of failed)
      logger.warn({ err: r.reason, profileId }, 'users unavailable: home rows that need it are left out');
    const info: ProfileInfo | undefined = profile.status === 'fulfilled' ? profile.value : undefined;
    // Users unavailable: the ceiling from profile.created still applies; the name is not known.
    const known = info ?? (await history.profile(profileId));
    const home = planHome(
      snapshot,
      profileSignals(snapshot.catalog, facts.value),
      {
        ceiling: known ? profileCeiling(known) : UNKNOWN_PROFILE_CEILING,
        name: info && info.name.length > 0 ? info.name : undefined,
        continueWatching: settled<ContinueWatchingEntry[]>(continueWatching),
        myList: settled<string[]>(myList),
      },
      this.deps.limits,
    );
    return { ...home, degraded: failed.length > 0 };
  }
}

function settled<T>(result: PromiseSettledResult<T>): T | undefined {
  return result.status === 'fulfilled' ? result.value : undefined;
}

function generationKey(profileId: string): string {
  return `recs:generation:${profileId}`;
}
