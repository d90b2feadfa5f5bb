import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { backendAvailable, testUrls, uniqueName } from '../testing/backends.js';
import { CacheUnavailableError, openCache } from './index.js';
import { connectionNameOf } from './redis.js';

describe('opening Redis fails fast and says why', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('names host and reason, never the password, when the port refuses', async () => {
    const failure = openCache({ url: 'redis://:hunter2@127.0.0.1:1', prefix: 'x:' });
    const error = (await failure.catch((e: unknown) => e)) as CacheUnavailableError;
    expect(error).toBeInstanceOf(CacheUnavailableError);
    expect(error.message).toMatch(/^cannot connect to Redis at 127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(error.message).not.toContain('hunter2');
  });

  it('gives up after the connect timeout when the server accepts but never answers', async () => {
    const silent = createServer((socket) => sockets.push(socket));
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    const started = Date.now();
    const failure = openCache({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 });
    await expect(failure).rejects.toThrow(
      new RegExp(`^cannot connect to Redis at 127\\.0\\.0\\.1:${port}: `),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe.runIf(await backendAvailable('redis'))('Redis adapter', () => {
  const raws: Redis[] = [];
  const rawClient = () => {
    const raw = new Redis(testUrls.redis);
    raws.push(raw);
    return raw;
  };
  afterEach(async () => {
    await Promise.all(raws.splice(0).map((r) => r.quit()));
  });

  it('prefixes every key and gives every key it writes an expiry', async () => {
    const raw = rawClient();
    const prefix = `${uniqueName('layout')}:`;
    const cache = await openCache({ url: testUrls.redis, prefix });
    try {
      await cache.set('title:1', { name: 'M' }, 60_000);
      await cache.increment('rl:ip', 60_000);
      await cache.leases.acquire('streams:acct', 's1', 2, 60_000);
      const keys = (await raw.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([`${prefix}lease:streams:acct`, `${prefix}rl:ip`, `${prefix}title:1`]);
      expect(await raw.get(`${prefix}title:1`)).toBe('{"name":"M"}');
      expect(await raw.type(`${prefix}lease:streams:acct`)).toBe('zset');
      for (const key of keys) {
        const ttl = await raw.pttl(key);
        expect(ttl, key).toBeGreaterThan(50_000);
        expect(ttl, key).toBeLessThanOrEqual(60_000);
      }
    } finally {
      await cache.close();
    }
  });

  it('carries on after its connection is killed, and pings false once closed', async () => {
    const raw = rawClient();
    const prefix = `${uniqueName('kill')}:`;
    const cache = await openCache({ url: testUrls.redis, prefix });
    await cache.set('k', 1, 60_000);
    const name = connectionNameOf(prefix);
    const clients = (await raw.client('LIST')) as string;
    const mine = clients
      .split('\n')
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => /id=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(mine).toHaveLength(1);
    await raw.client('KILL', 'ID', mine[0]!);
    expect(await cache.get('k')).toBe(1);
    expect(await cache.ping()).toBe(true);
    await cache.close();
    await cache.close();
    expect(await cache.ping()).toBe(false);
  });
});
