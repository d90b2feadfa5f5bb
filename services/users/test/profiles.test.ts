import { profileRecordKey } from '@marquee/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startUsers, storeBackends, uniqueEmail, type UsersHarness } from './harness.js';

describe.each(await storeBackends())('profiles on $backend', ({ backend, available }) => {
  let users: UsersHarness;
  beforeEach(async () => {
    if (available) users = await startUsers(backend);
  });
  afterEach(async () => {
    await users?.close();
  });

  const profiles = async (token: string) => (await users.call({ url: '/api/profiles', token })).json().items;
  const create = (token: string, payload: Record<string, unknown>) =>
    users.call({ method: 'POST', url: '/api/profiles', token, payload });

  it.runIf(available)('creates one profile at sign-up, named after the email local part', async () => {
    const pair = await users.signup(uniqueEmail('grace'));
    const [first, ...rest] = await profiles(pair.accessToken);
    expect(rest).toEqual([]);
    expect(first).toEqual({
      profileId: expect.any(String),
      name: expect.stringMatching(/^grace\./),
      kids: false,
      maxMaturity: 'NC-17',
      locked: false,
    });
  });

  it.runIf(available)(
    'allows five profiles and refuses the sixth with 409 profile.limit_reached',
    async () => {
      const { accessToken } = await users.signup();
      for (const name of ['Two', 'Three', 'Four', 'Five'])
        expect((await create(accessToken, { name })).statusCode).toBe(201);
      const sixth = await create(accessToken, { name: 'Six' });
      expect(sixth.statusCode).toBe(409);
      expect(sixth.headers['content-type']).toContain('application/problem+json');
      expect(sixth.json()).toMatchObject({ code: 'profile.limit_reached', limit: 5 });
      expect(await profiles(accessToken)).toHaveLength(5);
    },
  );

  it.runIf(available)('holds the limit under concurrent creations', async () => {
    const { accessToken } = await users.signup();
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => create(accessToken, { name: `P${n}` })));
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(4);
    expect(await profiles(accessToken)).toHaveLength(5);
  });

  it.runIf(available)(
    "drops the gateway's cached copy of a profile it changes or deletes (its ceiling is what Play obeys)",
    async () => {
      const { accessToken } = await users.signup();
      const teen = (await create(accessToken, { name: 'Teen', maxMaturity: 'PG-13' })).json();
      const key = profileRecordKey(teen.profileId);
      const cached = { profileId: teen.profileId, kids: false, maxMaturity: 'PG-13' };
      await users.ctx.cache.set(key, cached, 60_000);
      const lowered = await users.call({
        method: 'PATCH',
        url: `/api/profiles/${teen.profileId}`,
        token: accessToken,
        payload: { maxMaturity: 'PG' },
      });
      expect(lowered.statusCode).toBe(200);
      expect(await users.ctx.cache.get(key)).toBeUndefined();
      await users.ctx.cache.set(key, cached, 60_000);
      const removed = await users.call({
        method: 'DELETE',
        url: `/api/profiles/${teen.profileId}`,
        token: accessToken,
      });
      expect(removed.statusCode).toBe(204);
      expect(await users.ctx.cache.get(key)).toBeUndefined();
    },
  );

  it.runIf(available)('caps kids profiles at PG', async () => {
    const { accessToken } = await users.signup();
    const kid = await create(accessToken, { name: 'Kid', kids: true });
    expect(kid.json()).toMatchObject({ kids: true, maxMaturity: 'PG' });
    const tooMuch = await create(accessToken, { name: 'Kid2', kids: true, maxMaturity: 'R' });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().code).toBe('profile.maturity_not_allowed');
    const teen = (await create(accessToken, { name: 'Teen', maxMaturity: 'PG-13' })).json();
    const patched = await users.call({
      method: 'PATCH',
      url: `/api/profiles/${teen.profileId}`,
      token: accessToken,
      payload: { kids: true },
    });
    expect(patched.json()).toEqual({
      profileId: teen.profileId,
      name: 'Teen',
      kids: true,
      maxMaturity: 'PG',
      locked: false,
    });
    const raise = await users.call({
      method: 'PATCH',
      url: `/api/profiles/${teen.profileId}`,
      token: accessToken,
      payload: { maxMaturity: 'R' },
    });
    expect(raise.statusCode).toBe(422);
    const empty = await users.call({
      method: 'PATCH',
      url: `/api/profiles/${teen.profileId}`,
      token: accessToken,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    const unknownField = await create(accessToken, { name: 'X', colour: 'red' });
    expect(unknownField.statusCode).toBe(400);
  });

  it.runIf(available)('renames, deletes, and keeps the last profile', async () => {
    const { accessToken } = await users.signup();
    const [only] = await profiles(accessToken);
    const last = await users.call({
      method: 'DELETE',
      url: `/api/profiles/${only.profileId}`,
      token: accessToken,
    });
    expect(last.statusCode).toBe(409);
    expect(last.json().code).toBe('profile.last_profile');
    const second = (await create(accessToken, { name: '  Second   one ' })).json();
    expect(second.name).toBe('Second one');
    const renamed = await users.call({
      method: 'PATCH',
      url: `/api/profiles/${second.profileId}`,
      token: accessToken,
      payload: { name: 'Deux' },
    });
    expect(renamed.json().name).toBe('Deux');
    expect(
      (await users.call({ method: 'DELETE', url: `/api/profiles/${only.profileId}`, token: accessToken }))
        .statusCode,
    ).toBe(204);
    expect(await profiles(accessToken)).toEqual([{ ...second, name: 'Deux' }]);
  });

  it.runIf(available)(
    "never lets one account read or touch another's profile, list, ratings or history",
    async () => {
      const alice = await users.signup(uniqueEmail('alice'));
      const bob = await users.signup(uniqueEmail('bob'));
      const [aliceProfile] = await profiles(alice.accessToken);
      const p = aliceProfile.profileId;
      await users.call({ method: 'PUT', url: `/api/profiles/${p}/list/t1`, token: alice.accessToken });
      await users.call({
        method: 'PUT',
        url: `/api/profiles/${p}/ratings/t1`,
        token: alice.accessToken,
        payload: { rating: 'up' },
      });
      const attempts: [string, string, unknown?][] = [
        ['PATCH', `/api/profiles/${p}`, { name: 'mine now' }],
        ['DELETE', `/api/profiles/${p}`],
        ['GET', `/api/profiles/${p}/list`],
        ['GET', `/api/profiles/${p}/list/t1`],
        ['PUT', `/api/profiles/${p}/list/t2`],
        ['DELETE', `/api/profiles/${p}/list/t1`],
        ['GET', `/api/profiles/${p}/ratings`],
        ['GET', `/api/profiles/${p}/ratings/t1`],
        ['PUT', `/api/profiles/${p}/ratings/t1`, { rating: 'down' }],
        ['GET', `/api/profiles/${p}/history`],
        ['GET', `/api/profiles/${p}/history/t1`],
      ];
      const unknown = await users.call({ url: '/api/profiles/no-such-profile/list', token: bob.accessToken });
      for (const [method, url, payload] of attempts) {
        const res = await users.call({
          method: method as 'GET',
          url,
          token: bob.accessToken,
          ...(payload ? { payload: payload as object } : {}),
        });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        // Indistinguishable from a profile that does not exist.
        expect(res.json().code).toBe(unknown.json().code);
        expect(res.json().detail).toBe(`profile ${p} does not exist`);
      }
      // Nothing changed for Alice.
      expect(
        (await users.call({ url: `/api/profiles/${p}/list`, token: alice.accessToken }))
          .json()
          .items.map((i: { titleId: string }) => i.titleId),
      ).toEqual(['t1']);
      expect(
        (await users.call({ url: `/api/profiles/${p}/ratings/t1`, token: alice.accessToken })).json().rating,
      ).toBe('up');
      expect((await profiles(alice.accessToken))[0].name).toBe(aliceProfile.name);
    },
  );

  it.runIf(available)('answers other services with the owner and maturity of a profile', async () => {
    const pair = await users.signup();
    const [profile] = await profiles(pair.accessToken);
    const res = await users.call({ url: `/internal/profiles/${profile.profileId}` });
    expect(res.json()).toEqual({ ...profile, accountId: pair.accountId, lockedAt: null });
    expect((await users.call({ url: '/internal/profiles/nope' })).statusCode).toBe(404);
    expect((await users.app.inject({ url: `/internal/profiles/${profile.profileId}` })).statusCode).toBe(401);
  });
});
