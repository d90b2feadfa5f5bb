import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '@marquee/platform';
import { createTestContext, uniqueName, type TestContext } from '@marquee/platform/testing';
import type { ServiceModule } from '@marquee/core';
import { buildStreaming } from '@marquee/streaming';
import { buildUsers, type UsersTables } from '@marquee/users';
import { bearer, SECRET, startGateway, TEST_TUNING, type TestGateway } from './harness.js';

/**
 * Issue 17 item 6 through the public API, with the real users and streaming services on one event bus:
 * the export holds the caller's account and nothing of anyone else's; deleting the account (password
 * confirmed) ends its tokens at once, refuses its sign-in, and leaves no row about it in users' tables
 * or streaming's playback sessions (streaming consumes `account.deleted`).
 */
const PASSWORD = 'correct horse battery staple';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Pair {
  accountId: string;
  accessToken: string;
}

describe('your data: export and deletion', () => {
  let ctx: TestContext;
  let users: ServiceModule;
  let streaming: ServiceModule;
  let gw: TestGateway;
  let usersDb: Database<UsersTables>;
  // Streaming's tables, as far as this test reads them.
  let streamingDb: Database<{ playback_sessions: Record<string, unknown> & { account_id: string } }>;

  beforeAll(async () => {
    const [usersPort, streamingPort] = [await freePort(), await freePort()];
    ctx = await createTestContext({
      secret: SECRET,
      urls: { users: [`http://127.0.0.1:${usersPort}`], streaming: [`http://127.0.0.1:${streamingPort}`] },
    });
    users = await buildUsers(ctx, {
      argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
      print: () => undefined,
    });
    await users.app.listen({ port: usersPort, host: '127.0.0.1' });
    await users.start();
    streaming = await buildStreaming(ctx);
    await streaming.app.listen({ port: streamingPort, host: '127.0.0.1' });
    await streaming.start();
    usersDb = await ctx.openDb<UsersTables>('users');
    streamingDb = await ctx.openDb('streaming');
    const upstream = { ...TEST_TUNING!.upstream!, timeoutMs: 15_000 };
    gw = await startGateway(
      { users: [`http://127.0.0.1:${usersPort}`], streaming: [`http://127.0.0.1:${streamingPort}`] },
      { cache: ctx.cache, tuning: { upstream } },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await streaming?.app.close();
    await streaming?.stop();
    await users?.app.close();
    await users?.stop();
    await ctx?.cleanup();
  });

  const call = (token: string, method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    gw.app.inject({ method, url, ...(payload ? { payload } : {}), headers: bearer(token) });

  /** An account with a list entry, a rating, a viewing and a playback session. */
  const viewer = async () => {
    const email = `${uniqueName('mydata')}@example.com`;
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email, password: PASSWORD, plan: 'basic' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const pair = res.json<Pair>();
    const profiles = await call(pair.accessToken, 'GET', '/api/profiles');
    const profileId = profiles.json<{ items: { profileId: string }[] }>().items[0]!.profileId;
    const titleId = uniqueName('title');
    expect(
      (await call(pair.accessToken, 'PUT', `/api/profiles/${profileId}/list/${titleId}`)).statusCode,
    ).toBe(200);
    const rated = await call(pair.accessToken, 'PUT', `/api/profiles/${profileId}/ratings/${titleId}`, {
      rating: 'up',
    });
    expect(rated.statusCode).toBe(200);
    const now = new Date().toISOString();
    await usersDb.write
      .insertInto('viewing_history')
      .values({
        profile_id: profileId,
        title_id: titleId,
        position: 42,
        duration: 600,
        completed: 0,
        started_at: now,
        event_time: now,
      })
      .execute();
    const sessionId = uniqueName('playback');
    await streamingDb.write
      .insertInto('playback_sessions')
      .values({
        session_id: sessionId,
        account_id: pair.accountId,
        profile_id: profileId,
        title_id: titleId,
        asset_id: 'asset-1',
        max_height: 720,
        position: 42,
        duration_seconds: 600,
        created_at: now,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        stopped_at: null,
      })
      .execute();
    return { ...pair, email, profileId, titleId, sessionId };
  };

  it('exports the caller’s account and nothing of anyone else’s', async () => {
    const [alice, bob] = [await viewer(), await viewer()];
    const res = await call(alice.accessToken, 'GET', '/api/account/export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const body = res.json<{
      account: { accountId: string; email: string };
      profiles: { profileId: string; myList: unknown[]; ratings: unknown[]; viewingHistory: unknown[] }[];
      sessions: unknown[];
      elsewhere: { streaming: { playbackSessions: { sessionId: string }[] } };
    }>();
    expect(body.account).toMatchObject({ accountId: alice.accountId, email: alice.email });
    expect(body.profiles).toHaveLength(1);
    expect(body.profiles[0]).toMatchObject({
      profileId: alice.profileId,
      myList: [{ titleId: alice.titleId }],
      ratings: [{ titleId: alice.titleId, rating: 'up' }],
      viewingHistory: [{ titleId: alice.titleId, position: 42 }],
    });
    expect(body.sessions.length).toBeGreaterThanOrEqual(1);
    expect(body.elsewhere.streaming.playbackSessions.map((s) => s.sessionId)).toEqual([alice.sessionId]);
    for (const foreign of [bob.accountId, bob.email, bob.profileId, bob.titleId, bob.sessionId]) {
      expect(res.body).not.toContain(foreign);
    }
    expect(res.body).not.toMatch(/argon2|password|pin_hash|token_hash/i);
  });

  it('deletes the account: tokens stop at once, sign-in fails, and no service keeps its data', async () => {
    const [alice, bob] = [await viewer(), await viewer()];
    const wrong = await call(alice.accessToken, 'DELETE', '/api/account', { password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');

    expect((await call(alice.accessToken, 'DELETE', '/api/account', { password: PASSWORD })).statusCode).toBe(
      204,
    );
    const after = await call(alice.accessToken, 'GET', '/api/account');
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'auth.session_ended' });
    const login = await gw.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: alice.email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(401);

    // Users: not a row keyed by the account, its profile or its sessions.
    const db = usersDb.write;
    const byAccount = [
      'accounts',
      'sessions',
      'profiles',
      'email_links',
      'verified_emails',
      'plan_changes',
    ] as const;
    for (const table of byAccount) {
      const rows = await db
        .selectFrom(table)
        .select('account_id')
        .where('account_id', '=', alice.accountId)
        .execute();
      expect(rows, table).toEqual([]);
    }
    for (const table of ['my_list', 'ratings', 'viewing_history'] as const) {
      const rows = await db
        .selectFrom(table)
        .select('profile_id')
        .where('profile_id', '=', alice.profileId)
        .execute();
      expect(rows, table).toEqual([]);
    }
    // Streaming hears account.deleted through the event log.
    await expect
      .poll(
        async () =>
          (
            await streamingDb.write
              .selectFrom('playback_sessions')
              .select('account_id')
              .where('account_id', '=', alice.accountId)
              .execute()
          ).length,
        { timeout: 30_000, interval: 200 },
      )
      .toBe(0);
    // Bob is untouched.
    expect((await call(bob.accessToken, 'GET', '/api/account')).statusCode).toBe(200);
    const bobSessions = await streamingDb.write
      .selectFrom('playback_sessions')
      .select('account_id')
      .where('account_id', '=', bob.accountId)
      .execute();
    expect(bobSessions).toHaveLength(1);
  });
});
