import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, startUsers, storeBackends, uniqueEmail, type UsersHarness } from './harness.js';

/**
 * Issue 17 item 2 through the public API: TOTP enrolment (QR, ten recovery codes), the login's second
 * step, single use of codes and recovery codes, the code limits, disabling, and AUTH_REQUIRE_ADMIN_2FA.
 * Codes come from the otpauth library, as an authenticator app would make them. Each test starts its
 * own users service on a fresh database, which takes seconds on a loaded machine: hence 120 s.
 */
describe.each(await storeBackends())('two-step sign-in on $backend', ({ backend, available }) => {
  let users: UsersHarness | undefined;
  afterEach(async () => {
    await users?.close();
    users = undefined;
  });

  // A clock the test moves: each code belongs to a 30-second step, and a step's code works once.
  let now = Date.UTC(2026, 11, 6, 12, 0, 0);
  const clock = () => new Date(now);
  const nextStep = () => {
    now += 30_000;
  };
  const code = (secret: string) =>
    TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now, digits: 6, period: 30 });

  const start = (settings?: Record<string, string>) =>
    startUsers(backend, { clock, ...(settings ? { settings } : {}) });
  const post = (h: UsersHarness, url: string, payload: object, token?: string) =>
    h.call({ method: 'POST', url, payload, ...(token ? { token } : {}) });
  const loginAs = (h: UsersHarness, email: string, password = GOOD_PASSWORD) =>
    post(h, '/api/auth/login', { email, password });

  async function enrol(h: UsersHarness, token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
    const setup = await post(h, '/api/account/two-factor/setup', { password: GOOD_PASSWORD }, token);
    expect(setup.statusCode).toBe(200);
    const { secret } = setup.json<{ secret: string }>();
    const confirmed = await post(h, '/api/account/two-factor/confirm', { code: code(secret) }, token);
    expect(confirmed.statusCode).toBe(200);
    return { secret, recoveryCodes: confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes };
  }

  it.runIf(available)(
    'enrols with a QR code and a first code, then sign-in asks for a code',
    async () => {
      users = await start();
      const email = uniqueEmail();
      const { accessToken } = await users.signup(email);
      const status = () => users!.call({ url: '/api/account/two-factor', token: accessToken });
      expect((await status()).json()).toEqual({
        enabled: false,
        pending: false,
        recoveryCodesLeft: 0,
        required: false,
      });

      const wrongPassword = await post(
        users,
        '/api/account/two-factor/setup',
        { password: 'not it at all' },
        accessToken,
      );
      expect(wrongPassword.statusCode).toBe(401);
      const setup = await post(
        users,
        '/api/account/two-factor/setup',
        { password: GOOD_PASSWORD },
        accessToken,
      );
      expect(setup.statusCode).toBe(200);
      const enrolment = setup.json<{ secret: string; otpauthUrl: string; qrCode: string }>();
      expect(enrolment.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Marquee:/);
      expect(enrolment.otpauthUrl).toContain(`secret=${enrolment.secret}`);
      const svg = Buffer.from(
        enrolment.qrCode.replace('data:image/svg+xml;base64,', ''),
        'base64',
      ).toString();
      expect(enrolment.qrCode.startsWith('data:image/svg+xml;base64,')).toBe(true);
      expect(svg).toContain('<svg');

      // Pending: sign-in is unchanged until the app proves it holds the secret.
      expect((await loginAs(users, email)).json()).toHaveProperty('accessToken');
      expect((await status()).json()).toMatchObject({ enabled: false, pending: true });
      const wrong = await post(users, '/api/account/two-factor/confirm', { code: '000000' }, accessToken);
      expect(wrong.statusCode).toBe(422);
      expect(wrong.json()).toMatchObject({ type: expect.stringContaining('two_factor.code_invalid') });
      const confirmed = await post(
        users,
        '/api/account/two-factor/confirm',
        { code: code(enrolment.secret) },
        accessToken,
      );
      expect(confirmed.statusCode).toBe(200);
      const { recoveryCodes } = confirmed.json<{ recoveryCodes: string[] }>();
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      expect((await status()).json()).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 });

      // At rest: the secret is sealed and the recovery codes are hashes.
      const row = await users.db.write
        .selectFrom('two_factor' as never)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(enrolment.secret);
      const hashes = JSON.stringify(
        await users.db.write
          .selectFrom('recovery_codes' as never)
          .selectAll()
          .execute(),
      );
      for (const c of recoveryCodes) expect(hashes).not.toContain(c.replace('-', ''));

      const step = await loginAs(users, email);
      expect(step.statusCode).toBe(200);
      const challenge = step.json<{ mfaRequired: boolean; mfaToken: string; expiresIn: number }>();
      expect(challenge).toMatchObject({ mfaRequired: true, expiresIn: 300 });
      expect(challenge).not.toHaveProperty('accessToken');
      const bad = await post(users, '/api/auth/login/mfa', { mfaToken: challenge.mfaToken, code: '123456' });
      expect(bad.statusCode).toBe(401);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.json()).toMatchObject({ type: expect.stringContaining('auth.mfa_code_invalid') });
      nextStep();
      const current = code(enrolment.secret);
      const good = await post(users, '/api/auth/login/mfa', { mfaToken: challenge.mfaToken, code: current });
      expect(good.statusCode).toBe(200);
      const pair = good.json<{ accessToken: string; refreshToken: string }>();
      expect(decodeJwt(pair.accessToken).sub).toBe(good.json<{ accountId: string }>().accountId);
      // The challenge is spent, and the same code does not work twice (a new challenge, same step).
      const again = await post(users, '/api/auth/login/mfa', { mfaToken: challenge.mfaToken, code: current });
      expect(again.json()).toMatchObject({ type: expect.stringContaining('auth.mfa_challenge_invalid') });
      const second = (await loginAs(users, email)).json<{ mfaToken: string }>();
      const replay = await post(users, '/api/auth/login/mfa', { mfaToken: second.mfaToken, code: current });
      expect(replay.statusCode).toBe(401);
    },
    120_000,
  );

  it.runIf(available)(
    'takes a recovery code once, and limits wrong codes',
    async () => {
      users = await start();
      const email = uniqueEmail();
      const { accessToken } = await users.signup(email);
      const { recoveryCodes } = await enrol(users, accessToken);
      const challenge = async () => (await loginAs(users!, email)).json<{ mfaToken: string }>().mfaToken;

      const recovery = recoveryCodes[3]!;
      const first = await post(users, '/api/auth/login/mfa', {
        mfaToken: await challenge(),
        code: recovery.toUpperCase(),
      });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toHaveProperty('refreshToken');
      const reused = await post(users, '/api/auth/login/mfa', {
        mfaToken: await challenge(),
        code: recovery,
      });
      expect(reused.statusCode).toBe(401);
      const left = await users.call({ url: '/api/account/two-factor', token: accessToken });
      expect(left.json()).toMatchObject({ recoveryCodesLeft: 9 });

      // Five tries per password step: the sixth, even right, needs the password again.
      const token = await challenge();
      for (let i = 0; i < 5; i++)
        expect(
          (await post(users, '/api/auth/login/mfa', { mfaToken: token, code: `00000${i}` })).statusCode,
        ).toBe(401);
      const sixth = await post(users, '/api/auth/login/mfa', { mfaToken: token, code: recoveryCodes[0]! });
      expect(sixth.json()).toMatchObject({ type: expect.stringContaining('auth.mfa_challenge_invalid') });
      // Ten wrong codes per account in 15 minutes (one was the reused recovery code): then 429, even for a right one.
      const more = await challenge();
      for (let i = 0; i < 4; i++)
        await post(users, '/api/auth/login/mfa', { mfaToken: more, code: `11111${i}` });
      const limited = await post(users, '/api/auth/login/mfa', {
        mfaToken: await challenge(),
        code: recoveryCodes[1]!,
      });
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ type: expect.stringContaining('auth.mfa_rate_limited') });
    },
    120_000,
  );

  it.runIf(available)(
    'turns off with the password and a code, and sign-in gives tokens again',
    async () => {
      users = await start();
      const email = uniqueEmail();
      const { accessToken } = await users.signup(email);
      const { secret, recoveryCodes } = await enrol(users, accessToken);
      nextStep();
      const noPassword = await post(
        users,
        '/api/account/two-factor/disable',
        { password: 'wrong wrong wrong', code: code(secret) },
        accessToken,
      );
      expect(noPassword.statusCode).toBe(401);
      const noCode = await post(
        users,
        '/api/account/two-factor/disable',
        { password: GOOD_PASSWORD, code: '999999' },
        accessToken,
      );
      expect(noCode.statusCode).toBe(422);
      const renewed = await post(
        users,
        '/api/account/two-factor/recovery-codes',
        { code: code(secret) },
        accessToken,
      );
      expect(renewed.statusCode).toBe(200);
      const fresh = renewed.json<{ recoveryCodes: string[] }>().recoveryCodes;
      expect(fresh).not.toContain(recoveryCodes[0]);
      const off = await post(
        users,
        '/api/account/two-factor/disable',
        { password: GOOD_PASSWORD, code: fresh[0]! },
        accessToken,
      );
      expect(off.statusCode).toBe(204);
      expect((await loginAs(users, email)).json()).toHaveProperty('accessToken');
      const again = await post(
        users,
        '/api/account/two-factor/disable',
        { password: GOOD_PASSWORD, code: fresh[1]! },
        accessToken,
      );
      expect(again.statusCode).toBe(409);
    },
    120_000,
  );

  it.runIf(available)(
    'documents its routes, acts only on the caller, and refuses bad input',
    async () => {
      users = await start();
      const doc = (await users.call({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/auth/login/mfa',
          '/api/account/two-factor',
          '/api/account/two-factor/setup',
          '/api/account/two-factor/confirm',
          '/api/account/two-factor/recovery-codes',
          '/api/account/two-factor/disable',
        ]),
      );
      const anonymous = await users.app.inject({ url: '/api/account/two-factor' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['content-type']).toContain('application/problem+json');

      const owner = await users.signup();
      const other = await users.signup();
      await enrol(users, owner.accessToken);
      const theirs = await users.call({ url: '/api/account/two-factor', token: other.accessToken });
      expect(theirs.json()).toMatchObject({ enabled: false });
      const notTheirs = await post(
        users,
        '/api/account/two-factor/disable',
        { password: GOOD_PASSWORD, code: '123456' },
        other.accessToken,
      );
      expect(notTheirs.statusCode).toBe(409);
      const mine = await users.call({ url: '/api/account/two-factor', token: owner.accessToken });
      expect(mine.json()).toMatchObject({ enabled: true });

      for (const payload of [
        { mfaToken: 'nonsense', code: '123456' },
        { mfaToken: 'x'.repeat(128), code: 'not-a-code-at-all' },
        { mfaToken: '', code: '123456' },
        { mfaToken: 'a', code: '1' },
        { mfaToken: 'a' },
      ]) {
        const res = await post(users, '/api/auth/login/mfa', payload);
        expect([400, 401]).toContain(res.statusCode);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
    },
    120_000,
  );

  it.runIf(available)(
    'AUTH_REQUIRE_ADMIN_2FA: an admin signs in as a viewer until enrolled',
    async () => {
      const email = uniqueEmail('admin');
      users = await start({
        MARQUEE_ADMIN_EMAIL: email,
        MARQUEE_ADMIN_PASSWORD: GOOD_PASSWORD,
        AUTH_REQUIRE_ADMIN_2FA: 'true',
      });
      const first = (await loginAs(users, email)).json<{ accessToken: string; refreshToken: string }>();
      expect(decodeJwt(first.accessToken).role).toBe('viewer');
      const status = await users.call({ url: '/api/account/two-factor', token: first.accessToken });
      expect(status.json()).toMatchObject({ enabled: false, required: true });
      const refreshed = await post(users, '/api/auth/refresh', { refreshToken: first.refreshToken });
      expect(decodeJwt(refreshed.json<{ accessToken: string }>().accessToken).role).toBe('viewer');

      const { secret } = await enrol(users, first.accessToken);
      // The next refresh carries the admin role; so does a sign-in with a code.
      const after = await post(users, '/api/auth/refresh', {
        refreshToken: refreshed.json<{ refreshToken: string }>().refreshToken,
      });
      expect(decodeJwt(after.json<{ accessToken: string }>().accessToken).role).toBe('admin');
      nextStep();
      const { mfaToken } = (await loginAs(users, email)).json<{ mfaToken: string }>();
      const pair = await post(users, '/api/auth/login/mfa', { mfaToken, code: code(secret) });
      expect(decodeJwt(pair.json<{ accessToken: string }>().accessToken).role).toBe('admin');
    },
    120_000,
  );
});
