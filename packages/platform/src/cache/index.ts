import { ValidationError } from '@marquee/core';
import { createMemoryCache } from './memory.js';
import type { Cache } from './port.js';
import { openRedisCache } from './redis.js';

export type { Cache, Leases } from './port.js';
export { CacheUnavailableError, NotACounterError } from './errors.js';
export { keepLease, type HeldLease } from './keep-lease.js';

export interface CacheOptions {
  /** redis:// or rediss:// → Redis; absent → the in-process LRU. */
  url?: string;
  /** Redis key prefix, e.g. 'marquee:' (the in-process cache needs none). */
  prefix?: string;
  /** In-process cache only: most entries kept (default 10,000). */
  maxEntries?: number;
  /** Redis only: how long open may take before failing (default 5 s). */
  connectTimeoutMs?: number;
}

/** Which adapter a URL selects: none → in-process memory, redis:// or rediss:// → Redis. */
export function cacheKindOf(url: string | undefined): 'memory' | 'redis' {
  if (url === undefined) return 'memory';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') return 'redis';
  // Only the scheme is echoed: the rest of the URL may carry a password.
  throw new ValidationError(
    `unsupported cache URL scheme ${JSON.stringify(scheme ?? '(none)')}: use redis:// or rediss://, or no URL for the in-process cache`,
  );
}

/**
 * Opens the cache the configuration selects. With Redis, a server that cannot be reached within the
 * connect timeout throws CacheUnavailableError naming host:port and the reason.
 *
 * @example
 *   const cache = await openCache({ url: settings.REDIS_URL, prefix: 'marquee:' });
 */
export async function openCache(options: CacheOptions = {}): Promise<Cache> {
  if (cacheKindOf(options.url) === 'memory' || options.url === undefined) {
    return createMemoryCache({ maxEntries: options.maxEntries });
  }
  return openRedisCache({
    url: options.url,
    prefix: options.prefix,
    connectTimeoutMs: options.connectTimeoutMs,
  });
}
