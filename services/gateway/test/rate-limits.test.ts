import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { backendAvailable, openTestCache, uniqueName, type Cache } from '@marquee/platform';
import type { RateLimitRules } from '../src/index.js';
import { bearer, startFakeUsers, startGateway, type FakeUsers, type TestGateway } from './harness.js';

const WINDOW = 60_000;
const rules = (overrides: Partial<RateLimitRules>): Partial<RateLimitRules> => ({
  perAddress: { limit: 1_000, windowMs: WINDOW },
  perAccount: { limit: 1_000, windowMs: WINDOW },
  credentialsPerAddress: { limit: 1_000, windowMs: WINDOW },
  credentialsPerEmail: { limit: 1_000, windowMs: WINDOW },
  slowDownStepMs: 30,
  slowDownMaxMs: 200,
  ...overrides,
});

/** Windows are aligned to the clock: start a test's burst well inside one, never across an edge. */
async function freshWindow() {
  const left = WINDOW - (Date.now() % WINDOW);
  if (left < 3_000) await sleep(left + 10);
}

let users: FakeUsers;
beforeAll(async () => {
  users = await startFakeUsers();
});
afterAll(() => users.close());

const login = (gw: TestGateway, email: string) =>
  gw.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password: 'wrong-password-123' },
  });

const expect429 = (res: Awaited<ReturnType<typeof login>>) => {
  expect(res.statusCode).toBe(429);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW / 1000);
  expect(res.json()).toMatchObject({ code: 'rate_limited', status: 429 });
};

describe.each(['embedded', 'redis'] as const)('rate limits on the %s cache', (backend) => {
  let available = false;
  const caches: Cache[] = [];
  const gateways: TestGateway[] = [];
  const gatewayWith = async (limits: Partial<RateLimitRules>, cache?: Cache) => {
    const own = cache ?? (await openTestCache(backend));
    if (!cache) caches.push(own);
    const gw = await startGateway({ users: [users.url] }, { cache: own, tuning: { rateLimits: limits } });
    gateways.push(gw);
    return gw;
  };

  beforeAll(async () => {
    available = await backendAvailable(backend);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await Promise.all(caches.map((c) => c.close()));
  });

  it('limits every API request per client address', async ({ skip }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(rules({ perAddress: { limit: 5, windowMs: WINDOW } }));
    const token = await users.token({ sub: 'acc-addr' });
    for (let i = 0; i < 5; i++)
      expect((await gw.app.inject({ url: '/api/account', headers: bearer(token) })).statusCode).toBe(200);
    expect429(await gw.app.inject({ url: '/api/account', headers: bearer(token) }));
    expect429(await gw.app.inject({ url: '/api/titles' })); // counted before authentication
    expect((await gw.app.inject({ url: '/healthz' })).statusCode).toBe(200); // probes are not the API
  });

  it('limits each account on its own', async ({ skip }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(rules({ perAccount: { limit: 3, windowMs: WINDOW } }));
    const [one, two] = await Promise.all([users.token({ sub: 'acc-one' }), users.token({ sub: 'acc-two' })]);
    for (let i = 0; i < 3; i++) await gw.app.inject({ url: '/api/account', headers: bearer(one) });
    expect429(await gw.app.inject({ url: '/api/account', headers: bearer(one) }));
    expect((await gw.app.inject({ url: '/api/account', headers: bearer(two) })).statusCode).toBe(200);
  });

  it('slows down, then refuses, 30 fast logins against one email', async ({ skip }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(
      rules({ credentialsPerEmail: { limit: 10, windowMs: WINDOW, slowAfter: 5 } }),
    );
    const email = `${uniqueName('victim')}@example.com`;
    const statuses: number[] = [];
    const durations: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = Date.now();
      const res = await login(gw, i % 2 ? email : email.toUpperCase()); // normalised: one target
      durations.push(Date.now() - started);
      statuses.push(res.statusCode);
      if (i >= 10) expect429(res);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    // Attempts 6..10 wait 30, 60, 90, 120, 150 ms before they are tried.
    expect(durations[9]).toBeGreaterThanOrEqual(140);
    expect(Math.max(...durations.slice(10))).toBeLessThan(140); // refusals answer at once
    // Another email from the same address is unaffected by this email's limit.
    expect((await login(gw, `${uniqueName('other')}@example.com`)).statusCode).toBe(200);
  });

  it('limits login and sign-up per address across many emails (credential stuffing)', async ({ skip }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(rules({ credentialsPerAddress: { limit: 8, windowMs: WINDOW } }));
    for (let i = 0; i < 8; i++)
      expect((await login(gw, `${uniqueName('u')}@example.com`)).statusCode).toBe(200);
    expect429(await login(gw, `${uniqueName('u')}@example.com`));
    const signup = await gw.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: `${uniqueName('new')}@example.com`, password: 'x', plan: 'basic' },
    });
    expect429(signup);
  });

  // Registered for Redis only (not skipped for memory), so a CI run reports no skipped test.
  (backend === 'redis' ? it : () => undefined)(
    'holds limits across gateway instances sharing Redis',
    async ({ skip }) => {
      if (!available) skip();
      await freshWindow();
      const shared = await openTestCache('redis');
      caches.push(shared);
      const limits = rules({ perAddress: { limit: 5, windowMs: WINDOW } });
      const [a, b] = [await gatewayWith(limits, shared), await gatewayWith(limits, shared)];
      for (let i = 0; i < 3; i++) await a.app.inject({ url: '/api/titles' });
      for (let i = 0; i < 2; i++) await b.app.inject({ url: '/api/titles' });
      expect429(await b.app.inject({ url: '/api/titles' }));
      expect429(await a.app.inject({ url: '/api/titles' }));
    },
  );
});
