import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsecuredJWT } from 'jose';
import { createTestContext, uniqueName, type TestContext } from '@marquee/platform/testing';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@marquee/contracts';
import { buildUsers } from '@marquee/users';
import type { ServiceModule } from '@marquee/core';
import { bearer, mintToken, newSigningKey, SECRET, startGateway, type TestGateway } from './harness.js';

/**
 * The acceptance path of the issue: the public API driven through the gateway in front of the real
 * users service (embedded SQLite, cheap argon2), the gateway verifying users' own tokens.
 */
let ctx: TestContext;
let users: ServiceModule;
let gw: TestGateway;
const PASSWORD = 'correct horse battery staple';

interface Pair {
  accountId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

beforeAll(async () => {
  ctx = await createTestContext({ secret: SECRET });
  users = await buildUsers(ctx, {
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    print: () => undefined,
  });
  const url = await users.app.listen({ port: 0, host: '127.0.0.1' });
  await users.start();
  gw = await startGateway(
    { users: [url] },
    {
      tuning: {
        rateLimits: {
          credentialBackoff: { freeFailures: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, memoryMs: 60_000 },
          slowDownStepMs: 5,
        },
      },
    },
  );
});
afterAll(async () => {
  await gw.close();
  await users.app.close();
  await users.stop();
  await ctx.cleanup();
});

const post = (url: string, payload: unknown, token?: string) =>
  gw.app.inject({ method: 'POST', url, payload: payload as object, headers: token ? bearer(token) : {} });
const get = (url: string, token: string) => gw.app.inject({ url, headers: bearer(token) });
const expectProblem = (res: { statusCode: number; headers: Record<string, unknown> }, status: number) => {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
};

async function signup(): Promise<Pair & { email: string }> {
  const email = `${uniqueName('viewer')}@example.com`;
  const res = await post('/api/auth/signup', { email, password: PASSWORD, plan: 'standard' });
  expect(res.statusCode).toBe(201);
  return { ...res.json<Pair>(), email };
}

describe('accounts through the gateway', () => {
  it('signs up, logs in, refreshes with rotation and logs out', async () => {
    const account = await signup();
    expect(account).toMatchObject({ accountId: expect.any(String), expiresIn: 900 });
    expect((await get('/api/account', account.accessToken)).json()).toMatchObject({
      accountId: account.accountId,
    });

    const login = await post('/api/auth/login', { email: account.email, password: PASSWORD });
    expect(login.statusCode).toBe(200);
    const refreshed = await post('/api/auth/refresh', { refreshToken: login.json<Pair>().refreshToken });
    expect(refreshed.statusCode).toBe(200);
    const pair = refreshed.json<Pair>();
    expect(pair.refreshToken).not.toBe(login.json<Pair>().refreshToken);

    expect((await post('/api/auth/logout', { refreshToken: pair.refreshToken })).statusCode).toBe(204);
    expectProblem(await post('/api/auth/refresh', { refreshToken: pair.refreshToken }), 401);
  });

  it('revokes the whole family when a rotated refresh token is reused', async () => {
    const account = await signup();
    const first = await post('/api/auth/refresh', { refreshToken: account.refreshToken });
    const newer = first.json<Pair>().refreshToken;
    expectProblem(await post('/api/auth/refresh', { refreshToken: account.refreshToken }), 401); // reuse
    expectProblem(await post('/api/auth/refresh', { refreshToken: newer }), 401); // family gone
  });

  it('refuses a sixth profile', async () => {
    const account = await signup();
    for (let i = 2; i <= 5; i++) {
      expect((await post('/api/profiles', { name: `Profile ${i}` }, account.accessToken)).statusCode).toBe(
        201,
      );
    }
    const sixth = await post('/api/profiles', { name: 'One too many' }, account.accessToken);
    expect(sixth.statusCode).toBeGreaterThanOrEqual(400);
    expectProblem(sixth, sixth.statusCode);
  });

  it("keeps account B out of account A's profile, list and history", async () => {
    const a = await signup();
    const b = await signup();
    const profiles = (await get('/api/profiles', a.accessToken)).json<{ items: { profileId: string }[] }>();
    const profileId = profiles.items[0]!.profileId;
    expect((await get(`/api/profiles/${profileId}/list`, a.accessToken)).statusCode).toBe(200);
    for (const path of ['', '/list', '/history', '/ratings']) {
      expectProblem(await get(`/api/profiles/${profileId}${path}`, b.accessToken), 404);
    }
    const put = await gw.app.inject({
      method: 'PUT',
      url: `/api/profiles/${profileId}/list/t-1`,
      headers: bearer(b.accessToken),
    });
    expectProblem(put, 404);
  });

  it('answers 429 problems to 30 fast wrong logins', async () => {
    const account = await signup();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await post('/api/auth/login', { email: account.email, password: 'wrong password 1234' });
      statuses.push(res.statusCode);
      expectProblem(res, res.statusCode);
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Five wrong passwords are free; the sixth would have to wait a minute.
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
  });

  it('refuses tampered, unsigned and foreign-key tokens with 401 problems', async () => {
    const account = await signup();
    const [h, p, s] = account.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${s}`;
    const unsigned = new UnsecuredJWT({ ...claims })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .encode();
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { kid: string };
    const foreign = await mintToken(await newSigningKey(header.kid), {
      sub: account.accountId,
      role: 'admin',
    });
    for (const token of [tampered, unsigned, foreign]) expectProblem(await get('/api/account', token), 401);
  });
});
