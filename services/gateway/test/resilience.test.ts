import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  bearer,
  startFakeUsers,
  startGateway,
  startUpstream,
  type FakeUsers,
  type TestGateway,
  type TestUpstream,
} from './harness.js';

let users: FakeUsers;
let token: string;
let admin: string;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  users = await startFakeUsers();
  token = await users.token({ sub: 'acc-1' });
  admin = await users.token({ sub: 'acc-admin', role: 'admin' });
});
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});
afterAll(() => users.close());

async function gateway(
  streaming: string[],
  tuning: Parameters<typeof startGateway>[1] = {},
): Promise<TestGateway> {
  const gw = await startGateway({ users: [users.url], streaming }, tuning);
  cleanup.push(() => gw.close());
  return gw;
}
async function upstream(name = 'streaming', port = 0): Promise<TestUpstream> {
  const u = await startUpstream(name, undefined, port);
  cleanup.push(() => u.close());
  return u;
}
const titles = (gw: TestGateway, headers: Record<string, string> = {}) =>
  gw.app.inject({ url: '/api/titles', headers: { ...bearer(token), ...headers } });

describe('an upstream that is down', () => {
  it('answers 503 upstream.unavailable problem+json with Retry-After at once, then recovers by itself', async () => {
    const streaming = await startUpstream('streaming');
    const port = Number(new URL(streaming.url).port);
    const gw = await gateway([streaming.url], {
      tuning: {
        upstream: { retries: 0, breakerThreshold: 3, breakerCooldownMs: 300, healthCheckIntervalMs: 60_000 },
      },
    });
    expect((await titles(gw)).statusCode).toBe(200);
    await streaming.close();

    const started = Date.now();
    const down = await titles(gw);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(down.statusCode).toBe(503);
    expect(down.headers['content-type']).toContain('application/problem+json');
    expect(down.headers['retry-after']).toBe('1');
    expect(down.json()).toMatchObject({ code: 'upstream.unavailable', service: 'streaming', status: 503 });

    for (let i = 0; i < 3; i++) await titles(gw);
    const open = await titles(gw);
    expect(open.json().detail).toMatch(/circuit breaker is open/);

    await upstream('streaming', port); // back on the same address
    await sleep(350); // the breaker's cooldown: next call is the half-open probe
    const recovered = await titles(gw);
    expect(recovered.statusCode).toBe(200);
    const health = await gw.app.inject({ url: '/api/admin/health', headers: bearer(admin) });
    expect(health.json().upstreams.streaming.circuit).toBe('closed');
  });

  it('answers 504 upstream.timeout when the upstream is too slow', async () => {
    const streaming = await upstream();
    const gw = await gateway([streaming.url], { tuning: { upstream: { timeoutMs: 150, retries: 0 } } });
    const res = await titles(gw, { 'x-test-delay': '1500' });
    expect(res.json()).toMatchObject({ code: 'upstream.timeout', service: 'streaming', status: 504 });
    expect(res.statusCode).toBe(504);
  });

  it('retries idempotent calls only', async () => {
    const streaming = await upstream();
    const gw = await gateway([streaming.url], {
      tuning: { upstream: { retries: 2, breakerThreshold: 100 } },
    });
    const get = await titles(gw, { 'x-test-status': '503' });
    expect(get.statusCode).toBe(503);
    expect(streaming.seen.filter((s) => s.method === 'GET')).toHaveLength(3);
    const post = await gw.app.inject({
      method: 'POST',
      url: '/api/playback/s-1/heartbeat',
      headers: { ...bearer(token), 'x-test-status': '503' },
      payload: { position: 3 },
    });
    expect(post.statusCode).toBe(503);
    expect(streaming.seen.filter((s) => s.method === 'POST')).toHaveLength(1);
  });
});

describe('adaptive concurrency limit', () => {
  it('sheds requests over the limit after at most the short backlog wait, with 503 upstream.overloaded and Retry-After', async () => {
    const streaming = await upstream();
    const gw = await gateway([streaming.url], {
      tuning: { concurrency: { initialLimit: 2, minLimit: 2, maxLimit: 2 } },
    });
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const res = await titles(gw, { 'x-test-delay': '400' });
        return { res, ms: Date.now() - started };
      }),
    );
    const ok = answers.filter((a) => a.res.statusCode === 200);
    const shed = answers.filter((a) => a.res.statusCode === 503);
    expect(ok).toHaveLength(2);
    expect(shed).toHaveLength(4);
    for (const { res, ms } of shed) {
      expect(res.json()).toMatchObject({ code: 'upstream.overloaded', service: 'streaming' });
      expect(res.headers['retry-after']).toBe('1');
      expect(ms).toBeLessThan(400); // refused after the 50 ms backlog wait, not after a slot frees
    }
    expect(streaming.seen).toHaveLength(2);
    const health = await gw.app.inject({ url: '/api/admin/health', headers: bearer(admin) });
    expect(health.json().upstreams.streaming).toMatchObject({
      concurrencyLimit: 2,
      inflight: 0,
      waiting: 0,
      shed: 4,
    });
  });
  it('never sheds a playback stop: it frees a stream slot, and a shed stop would hold it to its TTL', async () => {
    const streaming = await upstream();
    const gw = await gateway([streaming.url], {
      tuning: { concurrency: { initialLimit: 2, minLimit: 2, maxLimit: 2 } },
    });
    const stop = (i: number) =>
      gw.app.inject({
        method: 'DELETE',
        url: `/api/playback/00000000-0000-4000-8000-00000000000${i}`,
        headers: { ...bearer(token), 'x-test-delay': '200' },
      });
    const answers = await Promise.all([titles(gw, { 'x-test-delay': '200' }), ...[1, 2, 3, 4, 5].map(stop)]);
    expect(answers.map((a) => a.statusCode).filter((status) => status === 503)).toEqual([]);
    expect(streaming.seen).toHaveLength(6);
  });

  it('sends a playback stop past an open circuit breaker, and fails it cleanly when streaming is down', async () => {
    const streaming = await startUpstream('streaming');
    const gw = await gateway([streaming.url], {
      tuning: { upstream: { retries: 0, breakerThreshold: 3, breakerCooldownMs: 60_000 } },
    });
    const stop = () =>
      gw.app.inject({
        method: 'DELETE',
        url: '/api/playback/00000000-0000-4000-8000-000000000001',
        headers: bearer(token),
      });
    for (let i = 0; i < 3; i++) expect((await titles(gw, { 'x-test-status': '503' })).statusCode).toBe(503);
    expect((await titles(gw)).json().detail).toMatch(/circuit breaker is open/);

    const before = streaming.seen.length;
    const stopped = await stop();
    expect(stopped.statusCode).toBe(200);
    expect(streaming.seen.slice(before).map((s) => s.method)).toEqual(['DELETE']);
    // The breaker is as it was for everything else: still open, its cooldown running.
    expect((await titles(gw)).json().detail).toMatch(/circuit breaker is open/);

    await streaming.close();
    const started = Date.now();
    const down = await stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBeDefined();
    expect(down.json()).toMatchObject({ code: 'upstream.unavailable', service: 'streaming' });
  });
});

describe('load balancing', () => {
  it('spreads calls over instances, ejects one that dies and re-admits it when healthy', async () => {
    const a = await upstream('streaming-a');
    const b = await startUpstream('streaming-b');
    const port = Number(new URL(b.url).port);
    const gw = await gateway([a.url, b.url], {
      tuning: { upstream: { healthCheckIntervalMs: 50, retries: 0 } },
    });
    await gw.gateway.start();

    const served = async (n: number) => {
      const bodies = await Promise.all(Array.from({ length: n }, () => titles(gw)));
      expect(bodies.every((r) => r.statusCode === 200)).toBe(true);
      return new Set(bodies.map((r) => r.json().service as string));
    };
    expect(await served(6)).toEqual(new Set(['streaming-a', 'streaming-b']));

    await b.close();
    const instances = async () =>
      (await gw.app.inject({ url: '/api/admin/health', headers: bearer(admin) })).json().upstreams.streaming
        .instances as { url: string; ejected: boolean }[];
    await until(async () => (await instances()).find((i) => i.url === b.url)!.ejected);
    expect(await served(10)).toEqual(new Set(['streaming-a'])); // no errors: the dead one gets nothing

    await upstream('streaming-b-again', port);
    await until(async () => !(await instances()).find((i) => i.url === b.url)!.ejected);
    expect(await served(6)).toContain('streaming-b-again');
  });
});

async function until(check: () => Promise<boolean>, ms = 3_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
}
