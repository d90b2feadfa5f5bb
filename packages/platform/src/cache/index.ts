import { ValidationError } from '@marquee/core';
import { openMemcachedCache } from './memcached.js';
import { createMemoryCache } from './memory.js';
import type { Cache } from './port.js';
import { openRedisCache } from './redis.js';

export type { Cache, Leases } from './port.js';
export { CacheContentionError, CacheUnavailableError, NotACounterError } from './errors.js';
export { takeReplicaLease, type ReplicaLease, type ReplicaLeaseOptions } from './replica-lease.js';
export { Memo, type MemoOptions } from './memo.js';
export { MEMCACHED_CAVEATS } from './memcached.js';

export interface CacheOptions {
  /** redis:// or rediss:// → Redis; memcached:// → Memcached; absent → the in-process LRU. */
  url?: string;
  /** Key prefix on a shared server, e.g. 'marquee:' (the in-process cache needs none). */
  prefix?: string;
  /** In-process cache only: most entries kept (default 10,000). */
  maxEntries?: number;
  /** Redis and Memcached: how long open may take before failing (default 5 s). */
  connectTimeoutMs?: number;
  /** Where an adapter says at open what it cannot guarantee (Memcached does). */
  logger?: { warn(details: object, message: string): void };
}

export type CacheKind = 'memory' | 'redis' | 'memcached';

/** Which adapter a URL selects: none → in-process memory, redis:// or rediss:// → Redis, memcached:// → Memcached. */
export function cacheKindOf(url: string | undefined): CacheKind {
  if (url === undefined) return 'memory';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') return 'redis';
  if (scheme === 'memcached') return 'memcached';
  // Only the scheme is echoed: the rest of the URL may carry a password.
  throw new ValidationError(
    `unsupported cache URL scheme ${JSON.stringify(scheme ?? '(none)')}: use redis://, rediss:// or memcached://, or no URL for the in-process cache`,
  );
}

/**
 * Opens the cache the configuration selects. With Redis or Memcached, a server that cannot be reached
 * within the connect timeout throws CacheUnavailableError naming host:port and the reason.
 *
 * @example
 *   const cache = await openCache({ url: settings.REDIS_URL, prefix: 'marquee:' });
 */
export async function openCache(options: CacheOptions = {}): Promise<Cache> {
  const kind = cacheKindOf(options.url);
  if (kind === 'memory' || options.url === undefined) {
    return createMemoryCache({ maxEntries: options.maxEntries });
  }
  const server = { url: options.url, prefix: options.prefix, connectTimeoutMs: options.connectTimeoutMs };
  if (kind === 'memcached') return openMemcachedCache({ ...server, logger: options.logger });
  return openRedisCache(server);
}
