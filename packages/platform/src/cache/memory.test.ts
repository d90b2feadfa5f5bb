import { describe, expect, it } from 'vitest';
import { cacheKindOf } from './index.js';
import { MemoryLeases } from './memory-leases.js';
import { createMemoryCache } from './memory.js';

describe('in-process cache', () => {
  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const cache = createMemoryCache({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await cache.set(key, key, 60_000);
    await cache.get('a');
    await cache.set('d', 'd', 60_000);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('a');
    expect(await cache.get('d')).toBe('d');
  });

  it('drops a lease set once its last lease lapsed, so abandoned keys cost nothing', async () => {
    let now = 0;
    const leases = new MemoryLeases(10, () => now);
    expect(await leases.acquire('streams:a', 's1', 1, 100)).toBe(true);
    now = 100; // expiry is exclusive: a lease lapses AT its expiry
    expect(await leases.holders('streams:a')).toEqual([]);
    expect(await leases.acquire('streams:a', 's2', 1, 100)).toBe(true);
  });

  it('forgets everything on close', async () => {
    const cache = createMemoryCache();
    await cache.set('k', 1, 60_000);
    await cache.close();
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('cacheKindOf', () => {
  it('selects memory without a URL, Redis for redis:// and rediss://, Memcached for memcached://', () => {
    expect(cacheKindOf(undefined)).toBe('memory');
    expect(cacheKindOf('redis://h:6379')).toBe('redis');
    expect(cacheKindOf('rediss://u:p@h:6380/0')).toBe('redis');
    expect(cacheKindOf('memcached://h:11211')).toBe('memcached');
  });

  it('refuses other schemes without echoing the URL', () => {
    let message = '';
    try {
      cacheKindOf('memcache://user:hunter2@h');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/"memcache".*redis:\/\/.*memcached:\/\//);
    expect(message).not.toContain('hunter2');
  });
});
