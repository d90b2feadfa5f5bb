import { openCache } from '../cache/index.js';
import type { Cache } from '../cache/port.js';
import { testUrls, uniqueName } from './backends.js';

/**
 * A fresh cache for one test: a new in-process cache (`embedded`), or Redis at testUrls.redis under a
 * unique key prefix, so tests running in parallel never see each other's keys. Every key the cache
 * writes carries a TTL, so nothing outlives the test by more than the TTLs it chose.
 *
 * @example
 *   const cache = await openTestCache('redis');
 *   onTestFinished(() => cache.close());
 */
export async function openTestCache(
  backend: 'embedded' | 'redis',
  options: { prefix?: string; maxEntries?: number } = {},
): Promise<Cache> {
  if (backend === 'embedded') return openCache({ maxEntries: options.maxEntries });
  return openCache({ url: testUrls.redis, prefix: options.prefix ?? `${uniqueName('test')}:` });
}
