import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startUsers, storeBackends, uniqueEmail, type UsersHarness, GOOD_PASSWORD } from './harness.js';

interface OutboxView {
  outbox: { id: number; event: string; created_at: string };
  accounts: { email: string };
}

describe.each(await storeBackends())('my list, ratings and events on $backend', ({ backend, available }) => {
  let users: UsersHarness;
  let outboxDb: Kysely<OutboxView>;
  beforeEach(async () => {
    if (!available) return;
    users = await startUsers(backend); // not started: the relay does not drain the outbox
    outboxDb = users.db.write as unknown as Kysely<OutboxView>;
  });
  afterEach(async () => {
    await users?.close();
  });

  const events = async () =>
    (await outboxDb.selectFrom('outbox').select('event').orderBy('id').execute()).map(
      (r) => JSON.parse(r.event) as { type: string; source: string; data: Record<string, unknown> },
    );
  const firstProfile = async (token: string): Promise<string> =>
    (await users.call({ url: '/api/profiles', token })).json().items[0].profileId;

  it.runIf(available)('adds, reads and removes My List items idempotently', async () => {
    const { accessToken } = await users.signup();
    const p = await firstProfile(accessToken);
    const add = await users.call({
      method: 'PUT',
      url: `/api/profiles/${p}/list/film-1`,
      token: accessToken,
    });
    expect(add.json()).toEqual({ titleId: 'film-1', addedAt: expect.any(String) });
    const again = await users.call({
      method: 'PUT',
      url: `/api/profiles/${p}/list/film-1`,
      token: accessToken,
    });
    expect(again.json().addedAt).toBe(add.json().addedAt);
    await users.call({ method: 'PUT', url: `/api/profiles/${p}/list/film-2`, token: accessToken });
    const list = await users.call({ url: `/api/profiles/${p}/list`, token: accessToken });
    expect(
      list
        .json()
        .items.map((i: { titleId: string }) => i.titleId)
        .sort(),
    ).toEqual(['film-1', 'film-2']);
    expect((await users.call({ url: `/api/profiles/${p}/list/film-1`, token: accessToken })).statusCode).toBe(
      200,
    );
    expect(
      (await users.call({ method: 'DELETE', url: `/api/profiles/${p}/list/film-1`, token: accessToken }))
        .statusCode,
    ).toBe(204);
    expect(
      (await users.call({ method: 'DELETE', url: `/api/profiles/${p}/list/film-1`, token: accessToken }))
        .statusCode,
    ).toBe(204);
    expect((await users.call({ url: `/api/profiles/${p}/list/film-1`, token: accessToken })).statusCode).toBe(
      404,
    );
    const internal = await users.call({ url: `/internal/profiles/${p}/list` });
    expect(internal.json().items.map((i: { titleId: string }) => i.titleId)).toEqual(['film-2']);
    const bad = await users.call({
      method: 'PUT',
      url: `/api/profiles/${p}/list/bad%20id`,
      token: accessToken,
    });
    expect(bad.statusCode).toBe(400);
  });

  it.runIf(available)('rates up, down and clears', async () => {
    const { accessToken } = await users.signup();
    const p = await firstProfile(accessToken);
    const rate = (rating: unknown) =>
      users.call({
        method: 'PUT',
        url: `/api/profiles/${p}/ratings/film-1`,
        token: accessToken,
        payload: { rating },
      });
    expect((await rate('up')).json()).toMatchObject({ titleId: 'film-1', rating: 'up' });
    expect((await rate('down')).json()).toMatchObject({ rating: 'down' });
    expect(
      (await users.call({ url: `/api/profiles/${p}/ratings`, token: accessToken })).json().items,
    ).toHaveLength(1);
    expect((await rate(null)).json()).toEqual({ titleId: 'film-1', rating: null, ratedAt: null });
    expect(
      (await users.call({ url: `/api/profiles/${p}/ratings/film-1`, token: accessToken })).json().rating,
    ).toBeNull();
    const bad = await rate('sideways');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });

  it.runIf(available)(
    'writes user.created, profile.created, mylist.changed and title.rated to the outbox',
    async () => {
      const pair = await users.signup();
      const p = await firstProfile(pair.accessToken);
      await users.call({ method: 'PUT', url: `/api/profiles/${p}/list/film-1`, token: pair.accessToken });
      await users.call({ method: 'PUT', url: `/api/profiles/${p}/list/film-1`, token: pair.accessToken }); // no change, no event
      await users.call({ method: 'DELETE', url: `/api/profiles/${p}/list/film-1`, token: pair.accessToken });
      await users.call({
        method: 'PUT',
        url: `/api/profiles/${p}/ratings/film-1`,
        token: pair.accessToken,
        payload: { rating: 'up' },
      });
      await users.call({
        method: 'PUT',
        url: `/api/profiles/${p}/ratings/film-1`,
        token: pair.accessToken,
        payload: { rating: 'up' },
      });
      const kid = (
        await users.call({
          method: 'POST',
          url: '/api/profiles',
          token: pair.accessToken,
          payload: { name: 'Kid', kids: true },
        })
      ).json();
      const mine = (await events()).filter((e) => e.data.accountId === pair.accountId);
      expect(mine.map((e) => e.type)).toEqual([
        'user.created',
        'profile.created',
        'mylist.changed',
        'mylist.changed',
        'title.rated',
        'profile.created',
      ]);
      expect(mine.every((e) => e.source === 'users')).toBe(true);
      expect(mine[0]!.data).toEqual({ accountId: pair.accountId, plan: 'standard' });
      expect(mine[2]!.data).toEqual({
        accountId: pair.accountId,
        profileId: p,
        titleId: 'film-1',
        inList: true,
      });
      expect(mine[3]!.data.inList).toBe(false);
      expect(mine[4]!.data).toEqual({
        accountId: pair.accountId,
        profileId: p,
        titleId: 'film-1',
        rating: 'up',
      });
      expect(mine[5]!.data).toEqual({
        accountId: pair.accountId,
        profileId: kid.profileId,
        kids: true,
        maxMaturity: 'PG',
      });
    },
  );

  it.runIf(available)('rolls the events back with the write that failed', async () => {
    await refuseProfileInserts(users.db.write, backend);
    const before = (await events()).length;
    const email = uniqueEmail('rollback');
    const res = await users.call({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email, password: GOOD_PASSWORD },
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    // user.created was enqueued before the profile insert failed: it must be gone with the account.
    expect(await events()).toHaveLength(before);
    expect(
      await outboxDb.selectFrom('accounts').select('email').where('email', '=', email).execute(),
    ).toEqual([]);
  });

  it.runIf(available)('delivers outbox events to the bus once started', async () => {
    const seen: string[] = [];
    const sub = await users.ctx.bus.subscribe({
      group: `observer-${backend}`,
      types: ['user.created'],
      handler: async ({ event }) => void seen.push((event.data as { accountId: string }).accountId),
    });
    const pair = await users.signup();
    await users.users.start();
    const deadline = Date.now() + 10_000;
    while (!seen.includes(pair.accountId) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await sub.stop();
    expect(seen).toContain(pair.accountId);
    expect(await events()).toEqual([]);
  });
});

/** A trigger that makes every profile insert fail, so sign-up fails AFTER enqueueing user.created. */
async function refuseProfileInserts(db: Kysely<unknown>, backend: string): Promise<void> {
  if (backend === 'postgres') {
    await sql`create function refuse_insert() returns trigger language plpgsql as $$ begin raise exception 'refused by test'; end $$`.execute(
      db,
    );
    await sql`create trigger refuse_profiles before insert on profiles for each row execute function refuse_insert()`.execute(
      db,
    );
  } else {
    await sql`create trigger refuse_profiles before insert on profiles begin select raise(abort, 'refused by test'); end`.execute(
      db,
    );
  }
}
