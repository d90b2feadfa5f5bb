/**
 * The cache port: JSON values with TTL, single-flight loading, counters with expiry and leases.
 * Keys are namespaced by the adapter's prefix so services sharing one Redis never collide.
 *
 * @example
 *   const home = await cache.getOrLoad(`home:${profileId}`, 60_000, () => buildHome(profileId));
 *   const hits = await cache.increment(`rl:${ip}`, 60_000); // fixed window counter
 *   const ok = await cache.leases.acquire(`streams:${accountId}`, sessionId, 2, 60_000);
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Returns the cached value, else runs `loader` once per key across concurrent callers in this process
   * (single flight), caches the result for ttlMs and returns it to every waiter.
   */
  getOrLoad<T>(key: string, ttlMs: number, loader: () => Promise<T>): Promise<T>;
  /** Atomically adds `by` (default 1); the key expires ttlMs after it was first created. */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
  readonly leases: Leases;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A bounded set of holders per key, each expiring on its own unless renewed: the primitive behind
 * concurrent-stream limits (a crashed player's lease lapses by itself).
 */
export interface Leases {
  /** Adds or renews `holder` if fewer than `limit` live holders exist (a holder already in counts as renewal). */
  acquire(key: string, holder: string, limit: number, ttlMs: number): Promise<boolean>;
  /** Extends a live lease; false when it had already lapsed. */
  renew(key: string, holder: string, ttlMs: number): Promise<boolean>;
  release(key: string, holder: string): Promise<void>;
  /** Live holders of `key`. */
  holders(key: string): Promise<string[]>;
}
