import { openCache } from '../cache/index.js';
import type { Cache } from '../cache/port.js';
import { testUrls, uniqueName } from './backends.js';
import { startMemcached, type RunningMemcached } from './memcached.js';

let sharedMemcached: Promise<RunningMemcached> | undefined;

/** TEST_MEMCACHED_URL, else a private memcached started on first use and shared by this test process. */
export async function memcachedTestUrl(): Promise<string> {
  if (testUrls.memcached !== undefined) return testUrls.memcached;
  sharedMemcached ??= startMemcached();
  return (await sharedMemcached).url;
}

/** Stops the private memcached memcachedTestUrl() started, if any (an afterAll of the suites using it). */
export async function stopTestMemcached(): Promise<void> {
  const running = sharedMemcached;
  sharedMemcached = undefined;
  if (running) await (await running).stop();
}

/**
 * A fresh cache for one test: a new in-process cache (`embedded`), or Redis at testUrls.redis or
 * memcached (see memcachedTestUrl) under a unique key prefix, so tests running in parallel never see
 * each other's keys. Every key the cache writes carries a TTL, so nothing outlives the test by more
 * than the TTLs it chose.
 *
 * @example
 *   const cache = await openTestCache('redis');
 *   onTestFinished(() => cache.close());
 */
export async function openTestCache(
  backend: 'embedded' | 'redis' | 'memcached',
  options: { prefix?: string; maxEntries?: number } = {},
): Promise<Cache> {
  if (backend === 'embedded') return openCache({ maxEntries: options.maxEntries });
  const url = backend === 'redis' ? testUrls.redis : await memcachedTestUrl();
  return openCache({ url, prefix: options.prefix ?? `${uniqueName('test')}:` });
}

/**
 * `cache` as one process sees it through a connection that can be cut: after `sever()` every call
 * fails as an unreachable cache does, while other holders of `cache` go on. Closing it leaves `cache`
 * open. For tests of lease holders cut off mid-work (two replicas sharing one in-process cache).
 */
export function severableCache(cache: Cache): { cache: Cache; sever: () => void } {
  let severed = false;
  const reach = <T>(call: () => Promise<T>): Promise<T> =>
    severed ? Promise.reject(new Error('the cache is unreachable')) : call();
  return {
    sever: () => void (severed = true),
    cache: {
      get: (key) => reach(() => cache.get(key)),
      set: (key, value, ttl) => reach(() => cache.set(key, value, ttl)),
      delete: (key) => reach(() => cache.delete(key)),
      getOrLoad: (key, ttl, load) => reach(() => cache.getOrLoad(key, ttl, load)),
      increment: (key, ttl, by) => reach(() => cache.increment(key, ttl, by)),
      leases: {
        acquire: (key, holder, limit, ttl) => reach(() => cache.leases.acquire(key, holder, limit, ttl)),
        renew: (key, holder, ttl) => reach(() => cache.leases.renew(key, holder, ttl)),
        release: (key, holder) => reach(() => cache.leases.release(key, holder)),
        holders: (key) => reach(() => cache.leases.holders(key)),
      },
      ping: () => reach(() => cache.ping()),
      close: async () => undefined,
    },
  };
}
