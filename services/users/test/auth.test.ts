import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, startUsers, storeBackends, uniqueEmail, type UsersHarness } from './harness.js';

const PROBLEM = 'application/problem+json';

describe.each(await storeBackends())('auth on $backend', ({ backend, available }) => {
  let users: UsersHarness;
  beforeEach(async () => {
    if (available) users = await startUsers(backend);
  });
  afterEach(async () => {
    await users?.close();
  });

  it.runIf(available)('signs up with a token pair and an account view', async () => {
    const email = uniqueEmail('Ada');
    const res = await users.call({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: ` ${email.toUpperCase()} `, password: GOOD_PASSWORD, plan: 'premium' },
    });
    expect(res.statusCode).toBe(201);
    const pair = res.json();
    expect(pair).toEqual({
      accountId: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresIn: 900,
    });
    const me = await users.call({ url: '/api/account', token: pair.accessToken });
    expect(me.json()).toEqual({
      accountId: pair.accountId,
      email: email.toLowerCase(),
      plan: 'standard', // asked for premium: that waits for the operator
      role: 'viewer',
      createdAt: expect.any(String),
      pendingPlan: 'premium',
      emailVerified: false, // until the mailed link is followed (email-links.test.ts)
    });
  });

  it.runIf(available)('refuses a taken email whatever its case, with 409 account.email_taken', async () => {
    const email = uniqueEmail();
    await users.signup(email);
    const res = await users.call({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: email.toUpperCase(), password: GOOD_PASSWORD, plan: 'basic' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.json()).toMatchObject({
      code: 'account.email_taken',
      type: 'urn:marquee:problem:account.email_taken',
    });
  });

  it.runIf(available)(
    'refuses weak passwords with the reason and bad bodies with a precise 400',
    async () => {
      const weak = await users.call({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: uniqueEmail(), password: 'Password1234', plan: 'basic' },
      });
      expect(weak.statusCode).toBe(422);
      expect(weak.json()).toMatchObject({ code: 'password.too_weak', reason: 'common' });
      const short = await users.call({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: uniqueEmail(), password: 'short', plan: 'basic' },
      });
      expect(short.json()).toMatchObject({ code: 'password.too_weak', reason: 'too_short' });
      const missing = await users.call({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { password: GOOD_PASSWORD },
      });
      expect(missing.statusCode).toBe(400);
      expect(missing.headers['content-type']).toContain(PROBLEM);
      expect(missing.json().detail).toContain("must have required property 'email'");
      const plan = await users.call({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: uniqueEmail(), password: GOOD_PASSWORD, plan: 'gold' },
      });
      expect(plan.statusCode).toBe(400);
      const email = await users.call({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: 'not-an-email', password: GOOD_PASSWORD },
      });
      expect(email.json()).toMatchObject({
        status: 400,
        code: 'validation',
        detail: expect.stringContaining('email'),
      });
    },
  );

  it.runIf(available)('answers the same 401 for a wrong password and an unknown account', async () => {
    const email = uniqueEmail();
    await users.signup(email);
    const ok = await users.call({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: email.toUpperCase(), password: GOOD_PASSWORD },
    });
    expect(ok.statusCode).toBe(200);
    const wrong = await users.call({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password: 'not the password at all' },
    });
    const unknown = await users.call({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: uniqueEmail(), password: GOOD_PASSWORD },
    });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({
        code: 'auth.invalid_credentials',
        detail: 'The email or password is wrong',
      });
    }
  });

  it.runIf(available)(
    'lets a viewer ask for a higher plan, never take it; the operator grants it (issue 20 item 4)',
    async () => {
      const pair = await users.signup();
      const asked = await users.call({
        method: 'PUT',
        url: '/api/account/plan',
        token: pair.accessToken,
        payload: { plan: 'premium' },
      });
      expect(asked.statusCode).toBe(202);
      expect(asked.json()).toMatchObject({
        plan: 'standard',
        pendingPlan: 'premium',
        detail: expect.any(String),
      });
      const internal = await users.call({ url: `/internal/accounts/${pair.accountId}` });
      expect(internal.json()).toEqual({
        accountId: pair.accountId,
        plan: 'standard',
        role: 'viewer',
        maxMaturity: 'NC-17',
        emailVerified: false,
      });
      // Asking for less is granted at once, and forgets the pending request.
      const lower = await users.call({
        method: 'PUT',
        url: '/api/account/plan',
        token: pair.accessToken,
        payload: { plan: 'basic' },
      });
      expect(lower.statusCode).toBe(200);
      expect(lower.json()).toMatchObject({ plan: 'basic', pendingPlan: null });
    },
  );

  it.runIf(available)('starts every sign-up on the operator’s plan, whatever it asks for', async () => {
    const premium = await users.call({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: uniqueEmail(), password: GOOD_PASSWORD, plan: 'premium' },
    });
    expect(premium.statusCode).toBe(201);
    const me = await users.call({
      url: '/api/account',
      token: premium.json<{ accessToken: string }>().accessToken,
    });
    expect(me.json()).toMatchObject({ plan: 'standard', pendingPlan: 'premium' });
  });

  it.runIf(available)('needs an identity on account routes and the service token everywhere', async () => {
    const anonymous = await users.call({ url: '/api/account' });
    expect(anonymous.statusCode).toBe(401);
    const direct = await users.app.inject({ url: '/api/profiles' });
    expect(direct.statusCode).toBe(401);
    expect(direct.headers['content-type']).toContain(PROBLEM);
    expect((await users.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it.runIf(available)(
    'documents the public routes in /openapi.json and hides the internal ones',
    async () => {
      const doc = (await users.call({ url: '/openapi.json' })).json();
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/auth/signup',
          '/api/profiles/{profileId}/list/{titleId}',
          '/api/account/sessions',
          '/api/account/email-verification',
          '/api/auth/verify-email',
          '/api/auth/password-reset/request',
          '/api/auth/password-reset',
          '/api/admin/mail',
          '/api/profiles/{profileId}/pin',
          '/api/profiles/{profileId}/unlock',
          '/api/profiles/{profileId}/enter',
          '/api/account/export',
          '/api/account',
          '/api/account/reauthentication',
        ]),
      );
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/internal'))).toEqual([]);
      expect(doc.paths['/api/auth/signup'].post.summary).toContain('Create an account');
    },
  );

  it.runIf(available)('refuses oversized bodies with 413 problem+json', async () => {
    const res = await users.call({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'a@b.c', password: 'x'.repeat(70_000) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain(PROBLEM);
  });
});
