import { LRUCache } from 'lru-cache';

export interface MemoOptions {
  /** Most entries kept; the least recently used go first. 0 keeps nothing. */
  max: number;
  /** How long an entry answers unless `set` says otherwise; unset, until it is evicted. */
  ttlMs?: number;
  /** The clock (ms), for tests; the default is lru-cache's own. */
  now?: () => number;
}

/**
 * The one bounded in-process memo (on lru-cache) in place of hand-made Maps that dropped their first
 * key when full: entries bounded in number and, optionally, in age. An entry is stale once it is older
 * than its TTL.
 */
export class Memo<K extends NonNullable<unknown>, V extends NonNullable<unknown>> {
  private readonly lru: LRUCache<K, V> | undefined;

  constructor(options: MemoOptions) {
    if (options.max <= 0) return;
    this.lru = new LRUCache<K, V>({
      max: options.max,
      ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
      // An injected clock is read on every check: lru-cache's 1 ms reading cache would hide its steps.
      ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
    });
  }

  get(key: K): V | undefined {
    return this.lru?.get(key);
  }

  /** Keeps `value` for `ttlMs` (the memo's own TTL when unset); a TTL of 0 or less keeps nothing. */
  set(key: K, value: V, ttlMs?: number): void {
    if (ttlMs !== undefined && ttlMs <= 0) return void this.lru?.delete(key);
    this.lru?.set(key, value, ttlMs === undefined ? undefined : { ttl: ttlMs });
  }

  delete(key: K): void {
    this.lru?.delete(key);
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}
