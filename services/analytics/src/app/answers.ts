import { LRUCache } from 'lru-cache';
import type { AnalyticsOverview, AnalyticsSession, TitleAnalytics } from '@marquee/contracts';
import type { LakeQueries, QoeFilter } from '../lake/queries.js';

/**
 * The lake's answers, each kept for a few seconds: an admin page asks several at once and reloads, and
 * a repeated question must not rescan the lake. Concurrent identical questions share one scan.
 */
export class AnalyticsAnswers {
  private readonly cache: LRUCache<string, Promise<unknown>>;

  constructor(
    private readonly queries: LakeQueries,
    ttlMs: number,
  ) {
    this.cache = new LRUCache({ max: 500, ttl: ttlMs });
  }

  overview(filter: QoeFilter): Promise<AnalyticsOverview> {
    return this.remember(['overview', filter], () => this.queries.overview(filter));
  }

  sessions(filter: QoeFilter, limit: number): Promise<AnalyticsSession[]> {
    return this.remember(['sessions', filter, limit], () => this.queries.sessions(filter, limit));
  }

  title(titleId: string, from: Date, to: Date): Promise<TitleAnalytics> {
    return this.remember(['title', titleId, from, to], () => this.queries.title(titleId, from, to));
  }

  private remember<T>(key: unknown[], load: () => Promise<T>): Promise<T> {
    // Ranges ending "now" move every call: rounded to the second so a page's burst shares answers.
    const id = JSON.stringify(key, (_k, v: unknown) =>
      typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? v.slice(0, 19) : v,
    );
    const hit = this.cache.get(id) as Promise<T> | undefined;
    if (hit) return hit;
    const answer = load();
    this.cache.set(id, answer);
    answer.catch(() => this.cache.delete(id));
    return answer;
  }
}
