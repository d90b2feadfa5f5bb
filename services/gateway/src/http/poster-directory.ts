import type { Logger } from '@marquee/core';
import type { UpstreamService } from './upstreams.js';

export interface PosterDirectoryOptions {
  /** Undefined when this gateway has no streaming upstream: rows then go out as the recommender wrote them. */
  streaming: UpstreamService | undefined;
  logger: Logger;
  /** How long a title's poster URL is reused. */
  ttlMs: number;
  /** Budget of the one batched call for the titles not held. */
  timeoutMs: number;
  /** Titles held at most (the oldest go first). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  expiresAt: number;
  /** The poster URL, null for a title without one, undefined when streaming could not say. */
  url: Promise<string | null | undefined>;
}

/** Ids per call: 100 UUIDs keep the query string near 4 KB, well inside streaming's 8 KB. */
const BATCH = 100;
/** After streaming could not answer, its titles are asked again this much later, not on every page. */
const RETRY_AFTER_MS = 5_000;

/**
 * Poster URLs of titles, from streaming's catalog, for home row items.
 *
 * Why here and not in the recommender's rows: a poster URL is an edge URL with an artwork token, signed
 * by streaming for the edge it ranks best now and valid until the end of tomorrow — it cannot travel in
 * a durable `title.published` event or sit in the recommender's store without going stale or pointing
 * at a dead edge, and the recommender would have to learn about edges to sign one. Streaming owns both
 * the artwork and the edge choice, so the gateway asks it, in ONE batched call
 * (`GET /internal/titles?ids=`) for just the titles it does not hold, and keeps each answer for
 * `ttlMs`: on the hot path a home page costs map lookups, and concurrent pages share one call. When
 * streaming is slow or down the rows go out without posters (the web app draws its gradients): a
 * poster never fails or delays a home page by more than `timeoutMs`.
 */
export class PosterDirectory {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(private readonly options: PosterDirectoryOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** Poster URL (or null) per title streaming knows; titles it could not tell about are left out. */
  async postersOf(titleIds: readonly string[]): Promise<Map<string, string | null>> {
    if (!this.options.streaming || titleIds.length === 0) return new Map();
    const now = this.now();
    const missing = titleIds.filter((id) => {
      const entry = this.entries.get(id);
      return !entry || entry.expiresAt <= now;
    });
    if (missing.length > 0) this.load(missing, now);
    const answers = await Promise.all(
      titleIds.map(async (id) => [id, await this.entries.get(id)?.url] as const),
    );
    return new Map(answers.filter((a): a is readonly [string, string | null] => a[1] !== undefined));
  }

  private load(titleIds: readonly string[], now: number): void {
    for (let start = 0; start < titleIds.length; start += BATCH) {
      const batch = titleIds.slice(start, start + BATCH);
      const answer = this.fetchBatch(batch);
      for (const id of batch) {
        this.entries.delete(id); // re-inserted last: the Map's order is the eviction order
        this.entries.set(id, {
          expiresAt: now + this.options.ttlMs,
          url: answer.then((urls) => (urls?.has(id) ? (urls.get(id) as string | null) : undefined)),
        });
      }
      void answer.then((urls) => {
        if (urls) return;
        const retryAt = this.now() + RETRY_AFTER_MS;
        for (const id of batch) {
          const entry = this.entries.get(id);
          if (entry) entry.expiresAt = Math.min(entry.expiresAt, retryAt);
        }
      });
    }
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(id);
    }
  }

  /** One call for a batch: poster URL (or null) per title streaming returned; undefined when it failed. */
  private async fetchBatch(titleIds: readonly string[]): Promise<Map<string, string | null> | undefined> {
    try {
      const res = await this.options.streaming!.request<{
        items?: { titleId: string; posterUrl?: string | null }[];
      }>(
        'GET',
        '/internal/titles',
        // One try: the budget is the home page's, and without an answer rows still go out.
        { query: { ids: titleIds.join(',') }, timeoutMs: this.options.timeoutMs, idempotent: false },
      );
      if (res.status !== 200 || !Array.isArray(res.body?.items)) {
        throw new Error(`streaming answered ${res.status}`);
      }
      return new Map(res.body.items.map((t) => [t.titleId, t.posterUrl ?? null] as const));
    } catch (err) {
      this.options.logger.warn({ err }, 'home row posters unavailable: rows go out without them');
      return undefined;
    }
  }
}
