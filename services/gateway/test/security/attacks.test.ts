import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@marquee/platform/testing';
import { PASSWORD, startSecurityPlatform, type SecurityPlatform } from './platform.js';

/**
 * Issue 20 as an attacker tried it: every item reproduced through the public API of the real platform
 * (gateway, users, streaming, storage). Each test failed before its fix.
 */
const METRICS_TOKEN = 'security-suite-metrics-token';
let p: SecurityPlatform;

beforeAll(async () => {
  p = await startSecurityPlatform({
    settings: { METRICS_TOKEN, RATE_LIMIT_CREDENTIALS_PER_ADDRESS: '10000', AUTH_FREE_FAILURES: '5' },
  });
}, 60_000);
afterAll(() => p?.close());

const login = (email: string, password: string, cookie?: string) =>
  p.api({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    headers: cookie ? { cookie } : {},
  });

describe('item 2: per-account login backoff', () => {
  it('counts every Unicode spelling of one address against the one account', async () => {
    const victim = await p.signUp();
    const [local, domain] = victim.email.split('@') as [string, string];
    const spellings = [
      victim.email.toUpperCase(),
      `${local}@${domain.replace('security', 'secu\u200brity')}`, // zero-width space: same domain
      `${local}@${domain.replace('s', 'ｓ')}`, // full-width letter: same domain after IDNA mapping
      ` ${victim.email} `,
      victim.email.normalize('NFD'),
    ];
    for (const email of spellings)
      expect((await login(email, 'not the password at all')).statusCode).toBe(401);
    // A soft hyphen is mapped away by IDNA too: still the same account, and the sixth try waits.
    const sixth = await login(`${local}@${domain.replace('test', 'te\u00adst')}`, 'guess six');
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('never locks the owner out: a browser that signed in before keeps its own allowance', async () => {
    const owner = await p.signUp();
    const signedIn = await login(owner.email, PASSWORD);
    const device = String(signedIn.headers['set-cookie']).split(';')[0]!;
    expect(device).toMatch(/^marquee_device=/);
    const attacker: number[] = [];
    for (let i = 0; i < 15; i++) attacker.push((await login(owner.email, `guess ${i}`)).statusCode);
    expect(attacker.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(attacker.slice(5).every((s) => s === 429)).toBe(true);
    expect((await login(owner.email, PASSWORD, device)).statusCode).toBe(200);
  });
});

describe('item 4: plans are granted, never taken', () => {
  it('starts a premium sign-up on the operator’s plan and makes a self-upgrade a pending request', async () => {
    const viewer = await p.signUp('premium');
    const me = await p.api({ url: '/api/account', token: viewer.accessToken });
    expect(me.json()).toMatchObject({ plan: 'standard', pendingPlan: 'premium' });
    const upgrade = await p.api({
      method: 'PUT',
      url: '/api/account/plan',
      token: viewer.accessToken,
      payload: { plan: 'premium' },
    });
    expect(upgrade.statusCode).toBe(202);
    expect(upgrade.json()).toMatchObject({ plan: 'standard', pendingPlan: 'premium' });
    const refreshed = await p.api({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: viewer.refreshToken },
    });
    const claims = JSON.parse(
      Buffer.from(
        refreshed.json<{ accessToken: string }>().accessToken.split('.')[1]!,
        'base64url',
      ).toString(),
    ) as { plan: string };
    expect(claims.plan).toBe('standard');

    // The viewer cannot approve it; the operator can.
    const approve = { method: 'POST' as const, url: `/api/admin/plan-changes/${viewer.accountId}` };
    expect(
      (await p.api({ ...approve, token: viewer.accessToken, payload: { approve: true } })).statusCode,
    ).toBe(403);
    const admin = await p.admin();
    const pending = await p.api({ url: '/api/admin/plan-changes', token: admin.accessToken });
    expect(pending.json<{ items: { accountId: string }[] }>().items.map((i) => i.accountId)).toContain(
      viewer.accountId,
    );
    const approved = await p.api({ ...approve, token: admin.accessToken, payload: { approve: true } });
    expect(approved.json()).toMatchObject({ plan: 'premium', pendingPlan: null });
  });
});

describe('item 5: every credential check is rate limited like login', () => {
  it('answers 429 to a stolen token guessing the current password', async () => {
    const viewer = await p.signUp();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await p.api({
        method: 'PUT',
        url: '/api/account/password',
        token: viewer.accessToken,
        payload: { currentPassword: `guess number ${i}`, newPassword: 'a brand new passphrase' },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
  });
});

describe('item 6: password strength', () => {
  it.each([
    ' password1234',
    'qwertyuiopas',
    'zaq12wsxcde3',
    'Summer2024!!',
    'Netflix2024!',
    'Passw0rd!Passw0rd!',
  ])('refuses %j at sign-up', async (password) => {
    const res = await p.api({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: `${uniqueName('weak')}@security.test`, password },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'password.too_weak' });
  });

  it('refuses a password made of the email’s local part', async () => {
    const res = await p.api({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: 'johnsmith2@security.test', password: 'johnsmith2123456' },
    });
    expect(res.statusCode).toBe(422);
  });
});

describe('item 7: no profile existence oracle', () => {
  it('answers another account’s profile exactly like an unknown one', async () => {
    const [a, b] = [await p.signUp(), await p.signUp()];
    const profiles = await p.api({ url: '/api/profiles', token: a.accessToken });
    const foreign = profiles.json<{ items: { profileId: string }[] }>().items[0]!.profileId;
    const theirs = await p.api({ url: `/api/titles?profileId=${foreign}`, token: b.accessToken });
    const unknown = await p.api({
      url: '/api/titles?profileId=00000000-0000-4000-8000-000000000000',
      token: b.accessToken,
    });
    expect(theirs.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    const shape = (res: typeof theirs) => Object.keys(res.json<object>()).sort();
    expect(shape(theirs)).toEqual(shape(unknown));
    expect(theirs.json()).toMatchObject({ code: 'not_found' });
  });
});

describe('item 8: hardening', () => {
  it('guards /metrics on the public port with a token', async () => {
    expect((await p.api({ url: '/metrics' })).statusCode).toBe(401);
    const scraped = await p.api({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('gateway_upstream_inflight');
  });

  it('does not let every origin read tus answers', async () => {
    const admin = await p.admin();
    const res = await p.api({
      method: 'POST',
      url: '/api/admin/uploads',
      token: admin.accessToken,
      headers: { origin: 'https://evil.example', 'tus-resumable': '1.0.0', 'upload-length': '10' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses profile names with bidi overrides or nothing visible', async () => {
    const viewer = await p.signUp();
    for (const name of ['Kids\u202e', '\u2066Dad\u2069', '\u200b\u200b', '\u3164']) {
      const res = await p.api({
        method: 'POST',
        url: '/api/profiles',
        token: viewer.accessToken,
        payload: { name },
      });
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
    }
  });

  it('does not leave a title "uploading" when its upload is deleted', async () => {
    const admin = await p.admin();
    const { titleId } = (
      await p.api({
        method: 'POST',
        url: '/api/admin/titles',
        token: admin.accessToken,
        payload: {
          type: 'movie',
          name: 'Abandoned',
          year: 2024,
          maturity: 'PG',
          genres: ['drama'],
          synopsis: 'x',
        },
      })
    ).json<{ titleId: string }>();
    const meta = `titleId ${Buffer.from(titleId).toString('base64')},filename ${Buffer.from('film.mp4').toString('base64')}`;
    const tus = { 'tus-resumable': '1.0.0' };
    const created = await p.api({
      method: 'POST',
      url: '/api/admin/uploads',
      token: admin.accessToken,
      headers: { ...tus, 'upload-length': '2048', 'upload-metadata': meta },
    });
    expect(created.statusCode).toBe(201);
    const location = String(created.headers.location);
    const path = new URL(location, 'http://x').pathname;
    const patched = await p.api({
      method: 'PATCH',
      url: path,
      token: admin.accessToken,
      headers: { ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      payload: Buffer.alloc(1024),
    });
    expect(patched.statusCode).toBe(204);
    const state = async () =>
      (await p.api({ url: `/api/admin/titles/${titleId}`, token: admin.accessToken })).json<{
        asset: { state: string; reason: string | null };
      }>().asset;
    expect((await state()).state).toBe('uploading');
    expect(
      (await p.api({ method: 'DELETE', url: path, token: admin.accessToken, headers: tus })).statusCode,
    ).toBe(204);
    expect(await state()).toMatchObject({ state: 'failed', reason: expect.stringContaining('deleted') });
  });

  it('lists nothing above the account’s most permissive profile when no profile is named', async () => {
    await p.publishReady({ name: 'Midnight Heist', maturity: 'R' });
    const names = async (token: string) =>
      (await p.api({ url: '/api/titles?limit=100', token }))
        .json<{ items: { name: string }[] }>()
        .items.map((t) => t.name);
    const grownUp = await p.signUp();
    expect(await names(grownUp.accessToken)).toContain('Midnight Heist');
    const household = await p.signUp();
    const [profile] = (await p.api({ url: '/api/profiles', token: household.accessToken })).json<{
      items: { profileId: string }[];
    }>().items;
    const kids = await p.api({
      method: 'PATCH',
      url: `/api/profiles/${profile!.profileId}`,
      token: household.accessToken,
      payload: { kids: true },
    });
    expect(kids.statusCode).toBe(200);
    expect(await names(household.accessToken)).not.toContain('Midnight Heist');
  });
});
