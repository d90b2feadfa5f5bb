import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backendAvailable, uniqueName } from '../testing/backends.js';
import { startMemcached, type RunningMemcached } from '../testing/memcached.js';
import { CacheUnavailableError, MEMCACHED_CAVEATS, openCache } from './index.js';
import { memcachedItems, type MemcachedItems } from './memcached-client.js';
import { countOf, decodeEntry, itemKey, lifetimeOf, storedCount, valueEntry } from './memcached-entries.js';
import { liveHolders } from './memcached-leases.js';
import type { Cache } from './port.js';

describe('memcached item layout', () => {
  it('reads back what it writes and nothing it did not write', () => {
    expect(decodeEntry(valueEntry(1_700_000_000_123, '{"a":1}'))).toEqual({
      kind: 'value',
      expiresAt: 1_700_000_000_123,
      json: '{"a":1}',
    });
    expect(decodeEntry('c1700000000123 0a1b2c')).toEqual({
      kind: 'counter',
      expiresAt: 1_700_000_000_123,
      windowId: '0a1b2c',
    });
    for (const foreign of ['{"a":1}', '42', 'c12 bad id!', 'v', undefined, Buffer.from('v1 1')]) {
      expect(decodeEntry(foreign)).toBeUndefined();
    }
  });

  it('stores every safe integer, negative ones too, where incr and decr neither wrap nor clamp', () => {
    for (const n of [0, 1, -1, -2, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(countOf(storedCount(n))).toBe(n);
      expect(BigInt(storedCount(n))).toBeGreaterThan(0n);
    }
    expect(countOf('not a number')).toBeUndefined();
  });

  it('never lets memcached drop an item before its millisecond expiry', () => {
    const now = 1_700_000_000_000;
    expect(lifetimeOf(100, now)).toBe(2); // one second rounded up, plus one tick of slack
    expect(lifetimeOf(1_000, now)).toBe(2);
    expect(lifetimeOf(1_001, now)).toBe(3);
    // Past 30 days memcached reads a Unix time.
    expect(lifetimeOf(31 * 86_400_000, now)).toBe(1_700_000_000 + 31 * 86_400 + 1);
  });

  it('names keys memcached cannot take by their hash, and keeps plain ones readable', () => {
    expect(itemKey('m:', 'home:p1')).toBe('m:home:p1');
    const spaced = itemKey('m:', 'with space');
    const long = itemKey('m:', 'k'.repeat(300));
    const unicode = itemKey('m:', 'titre:Amélie');
    for (const key of [spaced, long, unicode]) expect(key).toMatch(/^m:#sha256:[0-9a-f]{64}$/);
    expect(new Set([spaced, long, unicode]).size).toBe(3);
  });

  it('keeps only well-formed, unexpired lease holders', () => {
    const text = JSON.stringify([['a', 2_000], ['b', 1_000], ['c', 'x'], 'junk', [7, 3_000]]);
    expect([...liveHolders(text, 1_000).keys()]).toEqual(['a']);
    expect(liveHolders('not json', 0).size).toBe(0);
  });
});

describe('opening memcached fails fast and says why', () => {
  it('names host and reason when nothing listens', async () => {
    const error = await openCache({ url: 'memcached://127.0.0.1:1', connectTimeoutMs: 1_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CacheUnavailableError);
    expect((error as Error).message).toMatch(/^cannot connect to Memcached at 127\.0\.0\.1:1: /);
  });

  it('refuses credentials instead of silently ignoring them, without echoing them', async () => {
    const error = (await openCache({ url: 'memcached://u:hunter2@127.0.0.1:11211' }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/no login/);
    expect(error.message).not.toContain('hunter2');
  });
});

describe.runIf(await backendAvailable('memcached'))('Memcached adapter on a private server', () => {
  let server: RunningMemcached;
  let raw: MemcachedItems;
  const opened: Cache[] = [];
  const warnings: { details: object; message: string }[] = [];
  const open = async (prefix = `${uniqueName('mc')}:`) => {
    const cache = await openCache({
      url: server.url,
      prefix,
      logger: { warn: (details, message) => warnings.push({ details, message }) },
    });
    opened.push(cache);
    return { cache, prefix };
  };

  beforeAll(async () => {
    server = await startMemcached();
    raw = memcachedItems({
      server: server.url.replace('memcached://', ''),
      connectTimeoutMs: 2_000,
      commandTimeoutMs: 2_000,
    });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    raw.close();
    await server.stop();
  });

  it('says at open what it cannot guarantee', async () => {
    warnings.length = 0;
    await open();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/weaker guarantees than Redis/);
    expect(warnings[0]!.details).toMatchObject({ cache: 'memcached', caveats: MEMCACHED_CAVEATS });
  });

  it('decides expiry itself: an item memcached still holds is gone once its TTL has passed', async () => {
    const { cache, prefix } = await open();
    await cache.set('short', 'x', 100);
    await sleep(150);
    expect(await raw.get(`${prefix}short`)).toBeDefined(); // memcached's clock has not dropped it yet
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.increment('short', 60_000)).toBe(1); // a lapsed value makes way for a counter
  });

  it('takes keys memcached cannot, without mixing them up', async () => {
    const { cache } = await open();
    const keys = ['with space', 'k'.repeat(400), 'titre:Amélie', 'tab\there'];
    await Promise.all(keys.map((key, i) => cache.set(key, i, 60_000)));
    expect(await Promise.all(keys.map((key) => cache.get(key)))).toEqual([0, 1, 2, 3]);
    expect(await cache.increment('with space', 60_000)).toBe(1);
    expect(await cache.leases.acquire('k'.repeat(400), 'h', 1, 60_000)).toBe(true);
  });

  it('does not cache a value larger than an item, and drops the older one rather than serve it', async () => {
    const { cache } = await open();
    await cache.set('big', 'small', 60_000);
    await cache.set('big', 'x'.repeat(2 * 1024 * 1024), 60_000);
    expect(await cache.get('big')).toBeUndefined();
    expect(await cache.getOrLoad('huge', 60_000, async () => 'y'.repeat(2 * 1024 * 1024))).toHaveLength(
      2 * 1024 * 1024,
    );
  });

  it('counts on from an integer set with set() and keeps its expiry, as Redis INCRBY does', async () => {
    const { cache } = await open();
    await cache.set('n', 5, 200);
    expect(await cache.increment('n', 60_000)).toBe(6);
    await sleep(300);
    expect(await cache.get('n')).toBeUndefined();
  });

  it('starts a window over when memcached evicted its count', async () => {
    const { cache, prefix } = await open();
    expect(await cache.increment('rl:ip', 60_000, 3)).toBe(3);
    const header = decodeEntry(await raw.get(`${prefix}rl:ip`));
    expect(header?.kind).toBe('counter');
    await raw.delete(`${prefix}#count:${(header as { windowId: string }).windowId}`);
    expect(await cache.get('rl:ip')).toBeUndefined();
    expect(await cache.increment('rl:ip', 60_000)).toBe(1);
    expect(await cache.get('rl:ip')).toBe(1);
  });

  it('fails calls quickly, not forever, when the server dies', async () => {
    const own = await startMemcached();
    const cache = await openCache({ url: own.url, prefix: 'p:' });
    try {
      await cache.set('k', 1, 60_000);
      await own.stop();
      const started = Date.now();
      await expect(cache.get('k')).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await cache.ping()).toBe(false);
    } finally {
      await cache.close();
    }
  });
});
