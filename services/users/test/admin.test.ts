import type { Database } from '@marquee/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { buildUsers, createAdmin } from '../src/index.js';
import {
  GOOD_PASSWORD,
  startUsers,
  storeBackends,
  TEST_ARGON2,
  uniqueEmail,
  type UsersHarness,
} from './harness.js';

describe.each(await storeBackends())('admins on $backend', ({ backend, available }) => {
  let users: UsersHarness | undefined;
  afterEach(async () => {
    await users?.close();
    users = undefined;
  });

  const login = (email: string, password: string) =>
    users!.call({ method: 'POST', url: '/api/auth/login', payload: { email, password } });

  it.runIf(available)('generates the first admin and prints its password once', async () => {
    users = await startUsers(backend);
    expect(users.printed).toHaveLength(1);
    const [, email, password] = /created: (\S+) \/ password (\S+)/.exec(users.printed[0]!)!;
    const res = await login(email!, password!);
    expect(res.statusCode).toBe(200);
    const me = await users.call({ url: '/api/account', token: res.json().accessToken });
    expect(me.json()).toMatchObject({ email: 'admin@marquee.local', role: 'admin' });

    // A second start on the same database (another instance, or a restart) prints nothing.
    const printed: string[] = [];
    const db = users.db;
    const again = await buildUsers(
      {
        ...users.ctx,
        openDb: async <DB>() => ({ ...db, close: async () => {} }) as never as Database<DB>,
      },
      { argon2: TEST_ARGON2, print: (l) => printed.push(l) },
    );
    await again.app.close();
    await again.stop();
    expect(printed).toEqual([]);
  });

  it.runIf(available)('takes the first admin from the settings without printing anything', async () => {
    const email = uniqueEmail('boss');
    users = await startUsers(backend, {
      settings: { MARQUEE_ADMIN_EMAIL: email, MARQUEE_ADMIN_PASSWORD: 'a very private admin phrase' },
    });
    expect(users.printed).toEqual([]);
    const res = await login(email, 'a very private admin phrase');
    expect(res.statusCode).toBe(200);
    expect((await users.call({ url: '/api/account', token: res.json().accessToken })).json().role).toBe(
      'admin',
    );
  });

  it.runIf(available)(
    'creates more admins for `marquee admin create`, under the password policy',
    async () => {
      users = await startUsers(backend);
      const db = users.db;
      const deps = {
        openDb: async <DB>() => ({ ...db, close: async () => {} }) as never as Database<DB>,
      };
      const email = uniqueEmail('ops');
      const created = await createAdmin(deps, { email, password: GOOD_PASSWORD }, { argon2: TEST_ARGON2 });
      expect(created).toEqual({ accountId: expect.any(String), email });
      const res = await login(email, GOOD_PASSWORD);
      expect((await users.call({ url: '/api/account', token: res.json().accessToken })).json().role).toBe(
        'admin',
      );
      await expect(
        createAdmin(deps, { email, password: GOOD_PASSWORD }, { argon2: TEST_ARGON2 }),
      ).rejects.toMatchObject({ code: 'account.email_taken' });
      await expect(
        createAdmin(deps, { email: uniqueEmail(), password: 'password1234' }, { argon2: TEST_ARGON2 }),
      ).rejects.toMatchObject({ code: 'password.too_weak' });
    },
  );

  it.runIf(available)(
    'refuses to start with a weak configured admin password, naming the setting',
    async () => {
      await expect(
        startUsers(backend, {
          settings: { MARQUEE_ADMIN_EMAIL: uniqueEmail(), MARQUEE_ADMIN_PASSWORD: 'password1234' },
        }),
      ).rejects.toMatchObject({
        code: 'config.invalid',
        message: expect.stringContaining('MARQUEE_ADMIN_PASSWORD'),
      });
    },
  );
});
