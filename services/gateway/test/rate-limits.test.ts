import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Cache } from '@marquee/platform';
import { backendAvailable, openTestCache, uniqueName } from '@marquee/platform/testing';
import type { RateLimitRules } from '../src/index.js';
import {
  bearer,
  startFakeUsers,
  startGateway,
  startUpstream,
  type FakeUsers,
  type TestGateway,
  type TestUpstream,
} from './harness.js';

const WINDOW = 60_000;
const rules = (overrides: Partial<RateLimitRules>): Partial<RateLimitRules> => ({
  perAddress: { limit: 1_000, windowMs: WINDOW },
  perAccount: { limit: 1_000, windowMs: WINDOW },
  credentialsPerAddress: { limit: 1_000, windowMs: WINDOW },
  credentialBackoff: { freeFailures: 1_000, baseDelayMs: 1_000, maxDelayMs: 60_000, memoryMs: WINDOW },
  slowDownStepMs: 30,
  slowDownMaxMs: 200,
  ...overrides,
});
const backoff = (freeFailures: number, baseDelayMs: number) =>
  rules({ credentialBackoff: { freeFailures, baseDelayMs, maxDelayMs: 60_000, memoryMs: WINDOW } });

/** Windows are aligned to the clock: start a test's burst well inside one, never across an edge. */
async function freshWindow() {
  const left = WINDOW - (Date.now() % WINDOW);
  if (left < 3_000) await sleep(left + 10);
}

let users: FakeUsers;
let storage: TestUpstream;
beforeAll(async () => {
  users = await startFakeUsers();
  storage = await startUpstream('storage');
});
afterAll(async () => {
  await users.close();
  await storage.close();
});

/** A login the fake users answers with `status` (401: wrong password), with the given cookie. */
const login = (gw: TestGateway, email: string, status = 200, cookie?: string) =>
  gw.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password: 'wrong-password-123' },
    headers: { 'x-test-status': String(status), ...(cookie ? { cookie } : {}) },
  });

const expect429 = (res: Awaited<ReturnType<typeof login>>, window = WINDOW) => {
  expect(res.statusCode).toBe(429);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(window / 1000);
  expect(res.json()).toMatchObject({ code: 'rate_limited', status: 429 });
};

describe.each(['embedded', 'redis'] as const)('rate limits on the %s cache', (backend) => {
  let available = false;
  const caches: Cache[] = [];
  const gateways: TestGateway[] = [];
  const gatewayWith = async (limits: Partial<RateLimitRules>, cache?: Cache) => {
    const own = cache ?? (await openTestCache(backend));
    if (!cache) caches.push(own);
    const gw = await startGateway(
      { users: [users.url], storage: [storage.url] },
      { cache: own, tuning: { rateLimits: limits } },
    );
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

  it('limits unauthenticated API requests per client address, and only those', async ({ skip }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(rules({ perAddress: { limit: 5, windowMs: WINDOW } }));
    for (let i = 0; i < 5; i++) expect((await gw.app.inject({ url: '/api/titles' })).statusCode).toBe(401);
    expect429(await gw.app.inject({ url: '/api/titles' }));
    expect429(await gw.app.inject({ url: '/api/titles', headers: bearer('not-a-token') }));
    expect429(await gw.app.inject({ url: '/api/auth/refresh', headers: { authorization: 'Basic eA==' } }));
    expect((await gw.app.inject({ url: '/healthz' })).statusCode).toBe(200); // probes are not the API
    // Viewers behind the same address (one carrier-grade NAT) are counted per account instead.
    const token = await users.token({ sub: 'acc-behind-nat' });
    for (let i = 0; i < 20; i++)
      expect((await gw.app.inject({ url: '/api/account', headers: bearer(token) })).statusCode).toBe(200);
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

  it('never throttles the chunks of a tus upload in progress', async ({ skip }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(rules({ perAccount: { limit: 3, windowMs: WINDOW } }));
    const admin = await users.token({ sub: 'acc-uploader', role: 'admin' });
    const tus = { ...bearer(admin), 'tus-resumable': '1.0.0' };
    // The reference client sends 640 PATCHes for a 160 MiB source in 256 KiB chunks; 40 show the rule.
    for (let i = 0; i < 40; i++) {
      const patch = await gw.app.inject({
        method: i % 2 ? 'PATCH' : 'HEAD',
        url: '/api/admin/uploads/up-1',
        headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(i) },
        payload: i % 2 ? Buffer.alloc(1024) : undefined,
      });
      expect(patch.statusCode).toBe(200);
    }
    // Creating uploads and everything else still counts.
    for (let i = 0; i < 3; i++)
      expect(
        (await gw.app.inject({ method: 'POST', url: '/api/admin/uploads', headers: tus })).statusCode,
      ).toBe(200);
    expect429(await gw.app.inject({ method: 'POST', url: '/api/admin/uploads', headers: tus }));
  });

  it('backs off exponentially on wrong passwords for one account, however its email is spelled', async ({
    skip,
  }) => {
    if (!available) skip();
    await freshWindow();
    // Waits of 2 s, then 4 s: wide enough that a loaded machine's slowness never decides the outcome.
    const gw = await gatewayWith(backoff(3, 2_000));
    const name = uniqueName('victim');
    // Issue 20 item 2: users normalises all of these to one account, so the gateway must count them as one.
    const spellings = [
      `${name}@example.test`,
      `${name.toUpperCase()}@EXAMPLE.TEST`,
      `${name}@exam\u200bple.test`,
      ` ${name}@ｅxample.test `,
    ];
    for (let i = 0; i < 3; i++) expect((await login(gw, spellings[i]!, 401)).statusCode).toBe(401);
    expect429(await login(gw, spellings[3]!, 401)); // too soon after the third failure
    await sleep(2_100);
    expect((await login(gw, spellings[2]!, 401)).statusCode).toBe(401); // once 2 s had passed
    const refused = await login(gw, spellings[1]!, 401); // now 4 s must pass
    expect429(refused);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(4);
    await sleep(2_100);
    expect429(await login(gw, spellings[0]!, 401));
    // Another account from the same address is not slowed.
    expect((await login(gw, `${uniqueName('other')}@example.test`, 401)).statusCode).toBe(401);
  });

  it('lets the owner in from a known device while an attacker hammers the account', async ({ skip }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(backoff(3, 60_000));
    const email = `${uniqueName('owner')}@example.test`;
    const signedIn = await login(gw, email, 200);
    const setCookie = String(signedIn.headers['set-cookie']);
    expect(setCookie).toMatch(/^marquee_device=[^;]+; Path=\/api\/; .*HttpOnly; SameSite=Strict/);
    const device = setCookie.split(';')[0]!;

    for (let i = 0; i < 3; i++) expect((await login(gw, email, 401)).statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect429(await login(gw, email, 401), 60_000);
    // The owner's browser is not locked out, not even slowed: it has its own allowance.
    const owner = await login(gw, email, 200, device);
    expect(owner.statusCode).toBe(200);
    // A forged or another account's device cookie is just no cookie.
    const other = String((await login(gw, `${uniqueName('o')}@example.test`, 200)).headers['set-cookie']);
    expect429(await login(gw, email, 401, other.split(';')[0]), 60_000);
    // A wrong password is no success: no cookie.
    expect((await login(gw, `${uniqueName('x')}@example.test`, 401)).headers['set-cookie']).toBeUndefined();
  });

  it('lets only the free tries through when guesses come all at once', async ({ skip }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(backoff(3, 60_000));
    const email = `${uniqueName('burst')}@example.test`;
    const before = users.seen.length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(gw, email, 401)));
    expect(answers.filter((a) => a.statusCode === 401)).toHaveLength(3);
    expect(answers.filter((a) => a.statusCode === 429)).toHaveLength(17);
    expect(users.seen.length - before).toBe(3);
  });

  it('backs off wrong current passwords of a password change like logins (issue 20 item 5)', async ({
    skip,
  }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(backoff(3, 60_000));
    const token = await users.token({ sub: 'acc-stolen-token' });
    const change = () =>
      gw.app.inject({
        method: 'PUT',
        url: '/api/account/password',
        headers: { ...bearer(token), 'x-test-status': '401' },
        payload: { currentPassword: 'guess number n', newPassword: 'a new long passphrase' },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await change()).statusCode);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual(Array(27).fill(429));
  });

  it('limits credential checks per address across many emails (credential stuffing)', async ({ skip }) => {
    if (!available) skip();
    await freshWindow();
    const gw = await gatewayWith(rules({ credentialsPerAddress: { limit: 8, windowMs: WINDOW } }));
    for (let i = 0; i < 8; i++)
      expect((await login(gw, `${uniqueName('u')}@example.com`, 401)).statusCode).toBe(401);
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
    'holds limits and backoff across gateway instances sharing Redis',
    async ({ skip }) => {
      if (!available) skip();
      await freshWindow();
      const shared = await openTestCache('redis');
      caches.push(shared);
      const limits = { ...backoff(2, 60_000), perAddress: { limit: 5, windowMs: WINDOW } };
      const [a, b] = [await gatewayWith(limits, shared), await gatewayWith(limits, shared)];
      const email = `${uniqueName('shared')}@example.test`;
      expect((await login(a, email, 401)).statusCode).toBe(401);
      expect((await login(b, email, 401)).statusCode).toBe(401);
      expect429(await login(a, email, 401), 60_000);
      // Logins are unauthenticated: with those three, two more requests reach the address limit.
      for (let i = 0; i < 2; i++) await a.app.inject({ url: '/api/titles' });
      expect429(await b.app.inject({ url: '/api/titles' }));
      expect429(await a.app.inject({ url: '/api/titles' }));
    },
  );
});
