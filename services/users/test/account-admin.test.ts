import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, startUsers, storeBackends, uniqueEmail, type UsersHarness } from './harness.js';

describe.each(await storeBackends())(
  'managing accounts (issue 22 item 11) on $backend',
  ({ backend, available }) => {
    let users: UsersHarness;
    let adminToken: string;
    let adminId: string;
    const adminEmail = uniqueEmail('operator');

    beforeAll(async () => {
      if (!available) return;
      users = await startUsers(backend, {
        settings: { MARQUEE_ADMIN_EMAIL: adminEmail, MARQUEE_ADMIN_PASSWORD: 'a very private admin phrase' },
      });
      const res = await users.call({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: adminEmail, password: 'a very private admin phrase' },
      });
      ({ accessToken: adminToken, accountId: adminId } = res.json<{
        accessToken: string;
        accountId: string;
      }>());
    });
    afterAll(() => users?.close());

    const patch = (token: string, accountId: string, payload: Record<string, unknown>) =>
      users.call({ method: 'PATCH', url: `/api/admin/users/${accountId}`, token, payload });
    const login = (email: string) =>
      users.call({ method: 'POST', url: '/api/auth/login', payload: { email, password: GOOD_PASSWORD } });

    it.runIf(available)('lists accounts by email for admins only, searching part of the email', async () => {
      const email = uniqueEmail('findme');
      const viewer = await users.signup(email);
      const list = await users.call({ url: '/api/admin/users?q=FINDME', token: adminToken });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toMatchObject({
        items: [{ accountId: viewer.accountId, email, role: 'viewer', plan: 'standard', disabled: false }],
      });
      expect(list.body).not.toContain('password');
      expect((await users.call({ url: '/api/admin/users?q=%25', token: adminToken })).statusCode).toBe(200);
      const asViewer = await users.call({ url: '/api/admin/users', token: viewer.accessToken });
      expect(asViewer.statusCode).toBe(403);
      expect(asViewer.headers['content-type']).toContain('application/problem+json');

      // Pages follow by cursor without repeating anyone.
      const first = (await users.call({ url: '/api/admin/users?limit=1', token: adminToken })).json<{
        items: { email: string }[];
        nextCursor: string;
      }>();
      const second = (
        await users.call({ url: `/api/admin/users?limit=1&cursor=${first.nextCursor}`, token: adminToken })
      ).json<{ items: { email: string }[] }>();
      expect(second.items[0]!.email > first.items[0]!.email).toBe(true);
    });

    it.runIf(available)('changes role and plan, validating the body', async () => {
      const email = uniqueEmail('promoted');
      const viewer = await users.signup(email);
      expect((await patch(adminToken, viewer.accountId, { plan: 'gold' })).statusCode).toBe(400);
      expect((await patch(adminToken, viewer.accountId, {})).statusCode).toBe(400);
      expect((await patch(adminToken, 'no-such-account', { plan: 'basic' })).statusCode).toBe(404);
      expect((await patch(viewer.accessToken, viewer.accountId, { role: 'admin' })).statusCode).toBe(403);

      const res = await patch(adminToken, viewer.accountId, { plan: 'premium', role: 'admin' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ plan: 'premium', role: 'admin', disabled: false });
      // The next sign-in's token carries them.
      const token = (await login(email)).json<{ accessToken: string }>().accessToken;
      const me = await users.call({ url: '/api/account', token });
      expect(me.json()).toMatchObject({ plan: 'premium', role: 'admin' });
    });

    it.runIf(available)(
      'disables an account: its sessions end and it cannot sign in until enabled',
      async () => {
        const email = uniqueEmail('disabled');
        const viewer = await users.signup(email);
        const res = await patch(adminToken, viewer.accountId, { disabled: true });
        expect(res.json()).toMatchObject({ disabled: true });

        const refresh = await users.call({
          method: 'POST',
          url: '/api/auth/refresh',
          payload: { refreshToken: viewer.refreshToken },
        });
        expect(refresh.statusCode).toBe(401);
        const refused = await login(email);
        expect(refused.statusCode).toBe(403);
        expect(refused.json()).toMatchObject({ type: expect.stringContaining('account_disabled') });
        // A wrong password still says only "wrong": being disabled is told to whoever knows the password.
        const wrong = await users.call({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email, password: 'not the password at all' },
        });
        expect(wrong.statusCode).toBe(401);

        expect((await patch(adminToken, viewer.accountId, { disabled: false })).json()).toMatchObject({
          disabled: false,
        });
        expect((await login(email)).statusCode).toBe(200);
      },
    );

    it.runIf(available)('refuses an admin disabling or demoting themselves', async () => {
      for (const change of [{ disabled: true }, { role: 'viewer' }]) {
        const res = await patch(adminToken, adminId, change);
        expect(res.statusCode).toBe(409);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      expect((await patch(adminToken, adminId, { plan: 'basic' })).statusCode).toBe(200);
    });
  },
);
