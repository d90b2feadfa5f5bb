import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, startUsers, storeBackends, uniqueEmail, type UsersHarness } from './harness.js';

describe.each(await storeBackends())('sessions on $backend', ({ backend, available }) => {
  let users: UsersHarness;
  beforeEach(async () => {
    if (available) users = await startUsers(backend);
  });
  afterEach(async () => {
    await users?.close();
  });

  it.runIf(available)(
    'rotates refresh tokens and revokes the whole family when a used one comes back',
    async () => {
      const first = await users.signup();
      const refresh = (refreshToken: string) =>
        users.call({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
      const second = await refresh(first.refreshToken);
      expect(second.statusCode).toBe(200);
      const pair = second.json();
      expect(pair.refreshToken).not.toBe(first.refreshToken);
      expect(pair.accountId).toBe(first.accountId);
      await expect(users.call({ url: '/api/account', token: pair.accessToken })).resolves.toMatchObject({
        statusCode: 200,
      });

      const reused = await refresh(first.refreshToken);
      expect(reused.statusCode).toBe(401);
      expect(reused.json().code).toBe('auth.refresh_token_reused');
      // The thief's or the owner's newer token is dead too: the family is revoked.
      const after = await refresh(pair.refreshToken);
      expect(after.statusCode).toBe(401);
      expect(after.json().code).toBe('auth.invalid_refresh_token');
      expect((await refresh('made-up-token')).json().code).toBe('auth.invalid_refresh_token');
    },
  );

  it.runIf(available)('lets one of two concurrent refreshes with the same token win', async () => {
    const first = await users.signup();
    const answers = await Promise.all(
      [1, 2].map(() =>
        users.call({
          method: 'POST',
          url: '/api/auth/refresh',
          payload: { refreshToken: first.refreshToken },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401]);
  });

  it.runIf(available)('logs out: the refresh token stops working, and logout never fails', async () => {
    const pair = await users.signup();
    const out = await users.call({
      method: 'POST',
      url: '/api/auth/logout',
      payload: { refreshToken: pair.refreshToken },
    });
    expect(out.statusCode).toBe(204);
    const again = await users.call({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: pair.refreshToken },
    });
    expect(again.json().code).toBe('auth.invalid_refresh_token');
    expect(
      (await users.call({ method: 'POST', url: '/api/auth/logout', payload: { refreshToken: 'unknown' } }))
        .statusCode,
    ).toBe(204);
  });

  it.runIf(available)('lists sessions with the current one marked and revokes one', async () => {
    const email = uniqueEmail();
    const phone = await users.signup(email);
    const login = await users.call({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password: GOOD_PASSWORD },
      headers: { 'user-agent': 'TV' },
    });
    const tv = login.json();
    const list = (await users.call({ url: '/api/account/sessions', token: tv.accessToken })).json().items;
    expect(list).toHaveLength(2);
    expect(list.find((s: { current: boolean }) => s.current)).toMatchObject({ userAgent: 'TV' });
    const other = list.find((s: { current: boolean }) => !s.current);
    const del = await users.call({
      method: 'DELETE',
      url: `/api/account/sessions/${other.sessionId}`,
      token: tv.accessToken,
    });
    expect(del.statusCode).toBe(204);
    const refreshed = await users.call({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: phone.refreshToken },
    });
    expect(refreshed.statusCode).toBe(401);
    // Another account cannot see or end this account's sessions.
    const stranger = await users.signup();
    const theirs = await users.call({
      method: 'DELETE',
      url: `/api/account/sessions/${list[0].sessionId}`,
      token: stranger.accessToken,
    });
    expect(theirs.statusCode).toBe(404);
  });

  it.runIf(available)(
    'changes the password: old password and other sessions end, the caller continues',
    async () => {
      const email = uniqueEmail();
      const a = await users.signup(email);
      const b = (
        await users.call({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email, password: GOOD_PASSWORD },
        })
      ).json();
      const wrong = await users.call({
        method: 'PUT',
        url: '/api/account/password',
        token: a.accessToken,
        payload: { currentPassword: 'wrong password here', newPassword: 'a brand new passphrase' },
      });
      expect(wrong.statusCode).toBe(401);
      const weak = await users.call({
        method: 'PUT',
        url: '/api/account/password',
        token: a.accessToken,
        payload: { currentPassword: GOOD_PASSWORD, newPassword: 'qwerty123456' },
      });
      expect(weak.json()).toMatchObject({ code: 'password.too_weak', reason: 'common' });
      const changed = await users.call({
        method: 'PUT',
        url: '/api/account/password',
        token: a.accessToken,
        payload: { currentPassword: GOOD_PASSWORD, newPassword: 'a brand new passphrase' },
      });
      expect(changed.statusCode).toBe(200);
      const fresh = changed.json();
      for (const old of [a.refreshToken, b.refreshToken]) {
        const res = await users.call({
          method: 'POST',
          url: '/api/auth/refresh',
          payload: { refreshToken: old },
        });
        expect(res.statusCode).toBe(401);
      }
      expect(
        (
          await users.call({
            method: 'POST',
            url: '/api/auth/refresh',
            payload: { refreshToken: fresh.refreshToken },
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (
          await users.call({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email, password: GOOD_PASSWORD },
          })
        ).statusCode,
      ).toBe(401);
      expect(
        (
          await users.call({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email, password: 'a brand new passphrase' },
          })
        ).statusCode,
      ).toBe(200);
    },
  );
});
