import { describe, expect, it } from 'vitest';
import { uniqueName } from '@marquee/platform/testing';
import { bearer } from './harness.js';
import { usersBehindGateway } from './users-behind-gateway.js';

/**
 * Issue 17 item 4: logout, password change, device sign-out, "sign out everywhere" and a reused
 * refresh token end the session's access tokens at once. The real users service and the gateway share
 * one cache (in-process, or Redis as in microservices mode); the gateway reads the revocation set, so
 * the second request with the same access token is refused without asking users.
 */
interface Pair {
  accountId: string;
  accessToken: string;
  refreshToken: string;
}
const PASSWORD = 'correct horse battery staple';
const ADMIN_EMAIL = 'revocation-admin@example.com';

describe.each(['embedded', 'redis'] as const)('instant logout on the %s cache', (backend) => {
  const shared = usersBehindGateway(backend, {
    MARQUEE_ADMIN_EMAIL: ADMIN_EMAIL,
    MARQUEE_ADMIN_PASSWORD: PASSWORD,
  });

  const post = (url: string, payload: unknown, token?: string) =>
    shared.gw.app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: token ? bearer(token) : {},
    });
  const account = (token: string) => shared.gw.app.inject({ url: '/api/account', headers: bearer(token) });
  const signup = async (): Promise<Pair & { email: string }> => {
    const email = `${uniqueName('viewer')}@example.com`;
    const res = await post('/api/auth/signup', { email, password: PASSWORD, plan: 'basic' });
    expect(res.statusCode).toBe(201);
    return { ...res.json<Pair>(), email };
  };
  const login = async (email: string, password = PASSWORD): Promise<Pair> => {
    const res = await post('/api/auth/login', { email, password });
    expect(res.statusCode).toBe(200);
    return res.json<Pair>();
  };
  const expectEnded = async (token: string) => {
    const res = await account(token);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toContain('invalid_token');
    expect(res.json()).toMatchObject({ code: 'auth.session_ended', status: 401 });
  };

  it.runIf(() => shared.available)('logout: the same access token gets 401 on the next request', async () => {
    const viewer = await signup();
    const otherDevice = await login(viewer.email);
    expect((await account(viewer.accessToken)).statusCode).toBe(200); // the gateway remembers it verified
    expect((await post('/api/auth/logout', { refreshToken: viewer.refreshToken })).statusCode).toBe(204);
    await expectEnded(viewer.accessToken);
    // Only that session ended: the account's other device goes on.
    expect((await account(otherDevice.accessToken)).statusCode).toBe(200);
  });

  it.runIf(() => shared.available)('signing a device out ends that device only', async () => {
    const viewer = await signup();
    const phone = await login(viewer.email);
    const sessions = await shared.gw.app.inject({
      url: '/api/account/sessions',
      headers: bearer(viewer.accessToken),
    });
    const items = sessions.json<{ items: { sessionId: string; current: boolean }[] }>().items;
    expect(items).toHaveLength(2);
    const phoneSession = items.find((s) => !s.current)!.sessionId;
    // IDOR: another account cannot end it, and learns nothing it could not learn from a made-up id.
    const intruder = await signup();
    const stolen = await shared.gw.app.inject({
      method: 'DELETE',
      url: `/api/account/sessions/${phoneSession}`,
      headers: bearer(intruder.accessToken),
    });
    expect(stolen.statusCode).toBe(404);
    expect(stolen.headers['content-type']).toContain('application/problem+json');
    expect((await account(phone.accessToken)).statusCode).toBe(200);
    const out = await shared.gw.app.inject({
      method: 'DELETE',
      url: `/api/account/sessions/${phoneSession}`,
      headers: bearer(viewer.accessToken),
    });
    expect(out.statusCode).toBe(204);
    await expectEnded(phone.accessToken);
    expect((await account(viewer.accessToken)).statusCode).toBe(200);
  });

  it.runIf(() => shared.available)('sign out everywhere ends every session, this one too', async () => {
    const viewer = await signup();
    const tv = await login(viewer.email);
    const out = await shared.gw.app.inject({
      method: 'DELETE',
      url: '/api/account/sessions',
      headers: bearer(viewer.accessToken),
    });
    expect(out.statusCode).toBe(204);
    await expectEnded(viewer.accessToken);
    await expectEnded(tv.accessToken);
    expect((await post('/api/auth/refresh', { refreshToken: tv.refreshToken })).statusCode).toBe(401);
    // Another account is untouched.
    const other = await signup();
    expect((await account(other.accessToken)).statusCode).toBe(200);
  });

  it.runIf(() => shared.available)(
    'a password change ends the other sessions; the caller goes on',
    async () => {
      const viewer = await signup();
      const laptop = await login(viewer.email);
      const changed = await shared.gw.app.inject({
        method: 'PUT',
        url: '/api/account/password',
        payload: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase 42' },
        headers: bearer(viewer.accessToken),
      });
      expect(changed.statusCode).toBe(200);
      await expectEnded(laptop.accessToken);
      await expectEnded(viewer.accessToken);
      expect((await account(changed.json<Pair>().accessToken)).statusCode).toBe(200);
    },
  );

  it.runIf(() => shared.available)(
    'a reused refresh token ends the access tokens of its family',
    async () => {
      const viewer = await signup();
      const rotated = await post('/api/auth/refresh', { refreshToken: viewer.refreshToken });
      const current = rotated.json<Pair>();
      expect((await account(current.accessToken)).statusCode).toBe(200);
      expect((await post('/api/auth/refresh', { refreshToken: viewer.refreshToken })).statusCode).toBe(401);
      await expectEnded(current.accessToken);
    },
  );

  it.runIf(() => shared.available)('an account disabled by an admin is stopped at once', async () => {
    const viewer = await signup();
    expect((await account(viewer.accessToken)).statusCode).toBe(200);
    const admin = await login(ADMIN_EMAIL);
    const disabled = await shared.gw.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${viewer.accountId}`,
      payload: { disabled: true },
      headers: bearer(admin.accessToken),
    });
    expect(disabled.statusCode).toBe(200);
    await expectEnded(viewer.accessToken);
  });

  it.runIf(() => shared.available)(
    'a password-reset request answers alike and never makes the browser a known device',
    async () => {
      const viewer = await signup();
      const known = await post('/api/auth/password-reset/request', { email: viewer.email });
      const unknown = await post('/api/auth/password-reset/request', {
        email: `${uniqueName('nobody')}@example.com`,
      });
      expect(known.statusCode).toBe(202);
      expect([known.statusCode, known.body]).toEqual([unknown.statusCode, unknown.body]);
      expect(known.headers['set-cookie']).toBeUndefined();
      // A successful password check does (the login backoff's known-device allowance).
      const loggedIn = await post('/api/auth/login', { email: viewer.email, password: PASSWORD });
      expect(String(loggedIn.headers['set-cookie'])).toContain('=');
    },
  );
});
