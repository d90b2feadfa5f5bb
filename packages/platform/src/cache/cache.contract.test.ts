import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backendAvailable, testUrls, uniqueName } from '../testing/backends.js';
import { memcachedTestUrl, openTestCache, stopTestMemcached } from '../testing/cache.js';
import { openCache } from './index.js';
import type { Cache } from './port.js';

/** The same suite on every adapter: what a service may rely on whichever cache URL is set, or none. */
const adapters = [
  { name: 'memory', backend: 'embedded' as const, run: await backendAvailable('embedded') },
  { name: 'redis', backend: 'redis' as const, run: await backendAvailable('redis') },
  { name: 'memcached', backend: 'memcached' as const, run: await backendAvailable('memcached') },
];

afterAll(stopTestMemcached);

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

for (const adapter of adapters) {
  describe.runIf(adapter.run)(`cache contract: ${adapter.name}`, () => {
    const opened: Cache[] = [];
    const open = async () => {
      const cache = await openTestCache(adapter.backend);
      opened.push(cache);
      return cache;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((c) => c.close()));
    });

    it('gets what was set, misses what was not, forgets what was deleted', async () => {
      const cache = await open();
      expect(await cache.get('missing')).toBeUndefined();
      await cache.set('title:1', { name: 'Metropolis' }, 60_000);
      expect(await cache.get('title:1')).toEqual({ name: 'Metropolis' });
      await cache.set('title:1', { name: 'Nosferatu' }, 60_000);
      expect(await cache.get('title:1')).toEqual({ name: 'Nosferatu' });
      await cache.delete('title:1');
      expect(await cache.get('title:1')).toBeUndefined();
      await cache.delete('never-set');
      expect(await cache.ping()).toBe(true);
    });

    it('round-trips values with JSON semantics and returns copies', async () => {
      const cache = await open();
      const value = {
        text: 'Amélie — 北京 🎬 "quoted"',
        numbers: [0, -1, 2.5, 1e21],
        nested: { none: null, yes: true, empty: {} },
        when: new Date('2026-11-21T06:00:00.000Z'),
        dropped: undefined,
      };
      await cache.set('doc', value, 60_000);
      const back = await cache.get<Record<string, unknown>>('doc');
      expect(back).toEqual({ ...value, when: '2026-11-21T06:00:00.000Z', dropped: undefined });
      expect(back).not.toHaveProperty('dropped');
      for (const scalar of [0, '', false, null, 'plain', [1, 'two']]) {
        await cache.set('scalar', scalar, 60_000);
        expect(await cache.get('scalar')).toEqual(scalar);
      }
      (back!.nested as Record<string, unknown>).yes = false;
      expect(await cache.get('doc')).toMatchObject({ nested: { yes: true } });
      await cache.set('doc', undefined, 60_000);
      expect(await cache.get('doc')).toBeUndefined();
    });

    it('expires entries after their TTL', async () => {
      const cache = await open();
      await cache.set('short', 1, 100);
      await cache.set('long', 2, 5_000);
      expect(await cache.get('short')).toBe(1);
      await sleep(200);
      expect(await cache.get('short')).toBeUndefined();
      expect(await cache.get('long')).toBe(2);
    });

    it('runs ONE loader for 100 concurrent misses of a key, gives every caller its value, then serves it cached', async () => {
      const cache = await open();
      let calls = 0;
      const gate = deferred<void>();
      const loader = async () => {
        calls += 1;
        await gate.promise;
        return { rows: ['popular'], n: calls };
      };
      const waiting = Array.from({ length: 100 }, () => cache.getOrLoad('home:p1', 60_000, loader));
      await sleep(20);
      gate.resolve();
      const results = await Promise.all(waiting);
      expect(calls).toBe(1);
      expect(results).toHaveLength(100);
      for (const r of results) expect(r).toEqual({ rows: ['popular'], n: 1 });
      expect(await cache.getOrLoad('home:p1', 60_000, loader)).toEqual({ rows: ['popular'], n: 1 });
      expect(calls).toBe(1);
      expect(await cache.get('home:p1')).toEqual({ rows: ['popular'], n: 1 });
      // Another key loads on its own.
      expect(await cache.getOrLoad('home:p2', 60_000, async () => 'other')).toBe('other');
    });

    it('rejects every waiter of a failing loader, caches nothing, and retries on the next call', async () => {
      const cache = await open();
      let calls = 0;
      const failing = async () => {
        calls += 1;
        await sleep(10);
        throw new Error('recommender down');
      };
      const settled = await Promise.allSettled(
        Array.from({ length: 50 }, () => cache.getOrLoad('home:p1', 60_000, failing)),
      );
      expect(calls).toBe(1);
      expect(
        settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'recommender down'),
      ).toBe(true);
      expect(await cache.get('home:p1')).toBeUndefined();
      expect(await cache.getOrLoad('home:p1', 60_000, async () => 'fresh')).toBe('fresh');
    });

    it('loads again once the loaded value expired', async () => {
      const cache = await open();
      let calls = 0;
      const loader = async () => ++calls;
      expect(await cache.getOrLoad('k', 100, loader)).toBe(1);
      expect(await cache.getOrLoad('k', 100, loader)).toBe(1);
      await sleep(200);
      expect(await cache.getOrLoad('k', 100, loader)).toBe(2);
    });

    it('increments atomically under 200 concurrent calls', async () => {
      const cache = await open();
      const counts = await Promise.all(
        Array.from({ length: 200 }, () => cache.increment('rl:1.2.3.4', 60_000)),
      );
      expect(new Set(counts).size).toBe(200);
      expect(Math.max(...counts)).toBe(200);
      expect(await cache.increment('rl:1.2.3.4', 60_000, 5)).toBe(205);
      expect(await cache.get('rl:1.2.3.4')).toBe(205);
    });

    it('expires a counter TTL after its creation, however often it is incremented (a fixed window)', async () => {
      const cache = await open();
      expect(await cache.increment('rl:window', 300)).toBe(1);
      await sleep(150);
      // Incrementing again must not push the window's end out.
      expect(await cache.increment('rl:window', 300)).toBe(2);
      await sleep(200);
      expect(await cache.get('rl:window')).toBeUndefined();
      expect(await cache.increment('rl:window', 300)).toBe(1);
    });

    it('refuses to increment a key holding something other than an integer', async () => {
      const cache = await open();
      await cache.set('name', 'text', 60_000);
      await expect(cache.increment('name', 60_000)).rejects.toMatchObject({ code: 'cache.not_a_counter' });
      await cache.delete('name');
      expect(await cache.increment('name', 60_000, -2)).toBe(-2);
    });

    it('admits lease holders up to the limit; the same holder again is a renewal', async () => {
      const cache = await open();
      const { leases } = cache;
      expect(await leases.acquire('streams:acct', 's1', 2, 60_000)).toBe(true);
      expect(await leases.acquire('streams:acct', 's2', 2, 60_000)).toBe(true);
      expect(await leases.acquire('streams:acct', 's3', 2, 60_000)).toBe(false);
      expect(await leases.acquire('streams:acct', 's1', 2, 60_000)).toBe(true);
      expect((await leases.holders('streams:acct')).sort()).toEqual(['s1', 's2']);
      expect(await leases.holders('streams:other')).toEqual([]);
      expect(await leases.acquire('streams:other', 's3', 2, 60_000)).toBe(true);
    });

    it('frees a slot when a lease is released', async () => {
      const cache = await open();
      const { leases } = cache;
      await leases.acquire('streams:acct', 's1', 1, 60_000);
      expect(await leases.acquire('streams:acct', 's2', 1, 60_000)).toBe(false);
      await leases.release('streams:acct', 's1');
      await leases.release('streams:acct', 'never-held');
      expect(await leases.acquire('streams:acct', 's2', 1, 60_000)).toBe(true);
      expect(await leases.holders('streams:acct')).toEqual(['s2']);
    });

    it('frees a slot when a lease lapses, and refuses to renew a lapsed lease', async () => {
      const cache = await open();
      const { leases } = cache;
      expect(await leases.acquire('streams:acct', 'crashed', 1, 100)).toBe(true);
      expect(await leases.acquire('streams:acct', 'kept', 2, 5_000)).toBe(true);
      expect(await leases.renew('streams:acct', 'kept', 5_000)).toBe(true);
      expect(await leases.acquire('streams:acct', 'late', 2, 5_000)).toBe(false);
      await sleep(200);
      expect(await leases.holders('streams:acct')).toEqual(['kept']);
      expect(await leases.renew('streams:acct', 'crashed', 5_000)).toBe(false);
      expect(await leases.renew('streams:acct', 'never-held', 5_000)).toBe(false);
      expect(await leases.acquire('streams:acct', 'late', 2, 5_000)).toBe(true);
    });

    it('keeps a renewed lease alive past its first TTL', async () => {
      const cache = await open();
      const { leases } = cache;
      await leases.acquire('streams:acct', 's1', 1, 150);
      await sleep(50);
      expect(await leases.renew('streams:acct', 's1', 300)).toBe(true);
      await sleep(150);
      expect(await leases.holders('streams:acct')).toEqual(['s1']);
      expect(await leases.acquire('streams:acct', 's2', 1, 100)).toBe(false);
    });

    it('lets only `limit` of many concurrent acquirers in', async () => {
      const cache = await open();
      const admitted = await Promise.all(
        Array.from({ length: 50 }, (_, i) => cache.leases.acquire('streams:acct', `s${i}`, 4, 60_000)),
      );
      expect(admitted.filter(Boolean)).toHaveLength(4);
      expect(await cache.leases.holders('streams:acct')).toHaveLength(4);
    });

    it('refuses nonsensical TTLs', async () => {
      const cache = await open();
      await expect(cache.set('k', 1, 0)).rejects.toMatchObject({ code: 'validation' });
      await expect(cache.increment('k', -5)).rejects.toMatchObject({ code: 'validation' });
      await expect(cache.leases.acquire('k', 'h', 1, Number.NaN)).rejects.toMatchObject({
        code: 'validation',
      });
    });
  });
}

const servers = [
  { name: 'redis', url: async () => testUrls.redis, run: await backendAvailable('redis') },
  { name: 'memcached', url: memcachedTestUrl, run: await backendAvailable('memcached') },
];

for (const server of servers) {
  describe.runIf(server.run)(`cache contract: ${server.name} across instances`, () => {
    it('shares values, counters and leases between two separately opened caches', async () => {
      const prefix = `${uniqueName('shared')}:`;
      const url = await server.url();
      const [a, b] = await Promise.all([openCache({ url, prefix }), openCache({ url, prefix })]);
      try {
        await a.set('title:1', { name: 'M' }, 60_000);
        expect(await b.get('title:1')).toEqual({ name: 'M' });

        const counts = await Promise.all(
          Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).increment('rl:x', 60_000)),
        );
        expect(Math.max(...counts)).toBe(100);
        expect(new Set(counts).size).toBe(100);

        const admitted = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? a : b).leases.acquire('streams:acct', `s${i}`, 2, 60_000),
          ),
        );
        expect(admitted.filter(Boolean)).toHaveLength(2);
        const [holder] = await a.leases.holders('streams:acct');
        await b.leases.release('streams:acct', holder!);
        expect(await a.leases.acquire('streams:acct', 'newcomer', 2, 60_000)).toBe(true);
        expect(await b.leases.renew('streams:acct', 'newcomer', 60_000)).toBe(true);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
}
