import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCache, type Cache } from '@marquee/platform';
import { startRedisServer, type RunningRedisServer } from '@marquee/platform/testing';
import { currentWindow, SHARED_COUNTER_RETRY_MS } from '../src/app/rate-limit.js';
import { startGateway, type TestGateway } from './harness.js';

/**
 * Rate limits when Redis is down, against a private redis-server of this test's own (never the machine's)
 * that is SIGKILLed and started again on the same port. The decision (docs/operations.md): the limits
 * fail over to counters in the gateway's memory — still enforced, per gateway — and go back to Redis
 * once it answers again.
 */

let redis: RunningRedisServer;
let cache: Cache;
let gw: TestGateway;

const LIMIT = 4;
const anonymous = () => gw.app.inject({ url: '/api/openapi.json' });

beforeAll(async () => {
  redis = await startRedisServer();
  cache = await openCache({ url: redis.url, prefix: 'rl-test:' });
  gw = await startGateway(
    {},
    { cache, tuning: { rateLimits: { perAddress: { limit: LIMIT, windowMs: 60 * 60_000 } } } },
  );
});
afterAll(async () => {
  await gw?.close();
  await cache?.close();
  await redis?.stop();
});

describe('rate limits while Redis is down', () => {
  it('fail over to per-gateway counters — still enforced, answered at once — and return to Redis', async () => {
    const up = [];
    for (let i = 0; i <= LIMIT; i++) up.push((await anonymous()).statusCode);
    expect(up).toEqual([...Array(LIMIT).fill(200), 429]);

    await redis.kill();
    // Before: every request waited for Redis (2 s), then answered 500. Now: counted in memory.
    const startedAt = Date.now();
    const down = [];
    for (let i = 0; i <= LIMIT; i++) down.push((await anonymous()).statusCode);
    expect(down).toEqual([...Array(LIMIT).fill(200), 429]); // a fresh local window, with the same limit
    expect(Date.now() - startedAt).toBeLessThan(LIMIT * 2_000); // not one 2 s Redis timeout per request

    await redis.restart(); // same port, empty: the counts it held are gone, as after a real restart
    await sleep(SHARED_COUNTER_RETRY_MS + 300);
    expect((await anonymous()).statusCode).toBe(200);
    const key = `gw:rl:perAddress:127.0.0.1:${currentWindow(Date.now(), 60 * 60_000).index}`;
    expect(await cache.increment(key, 60_000, 0)).toBe(1); // counted in Redis again
  });
});
