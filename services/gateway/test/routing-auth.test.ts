import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { request as httpRequest } from 'node:http';
import { SERVICE_TOKEN_HEADER } from '@marquee/core';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@marquee/contracts';
import {
  bearer,
  mintToken,
  newSigningKey,
  SERVICE_TOKEN,
  startFakeUsers,
  startGateway,
  startUpstream,
  type FakeUsers,
  type TestGateway,
  type TestUpstream,
} from './harness.js';

let users: FakeUsers;
let streaming: TestUpstream;
let storage: TestUpstream;
let encoder: TestUpstream;
let gw: TestGateway;
let alice: string;
let bob: string;
let admin: string;

beforeAll(async () => {
  [users, streaming, storage, encoder] = await Promise.all([
    startFakeUsers(),
    startUpstream('streaming'),
    startUpstream('storage'),
    startUpstream('encoder'),
  ]);
  gw = await startGateway({
    users: [users.url],
    streaming: [streaming.url],
    storage: [storage.url],
    encoder: [encoder.url],
  });
  users.profiles.set('p-alice', { accountId: 'acc-alice', kids: false, maxMaturity: 'R' });
  users.profiles.set('p-bob', { accountId: 'acc-bob', kids: true, maxMaturity: 'PG' });
  alice = await users.token({ sub: 'acc-alice', sid: 'sess-a' });
  bob = await users.token({ sub: 'acc-bob' });
  admin = await users.token({ sub: 'acc-admin', role: 'admin', plan: 'premium' });
});
afterAll(async () => {
  await gw.close();
  await Promise.all([users, streaming, storage, encoder].map((u) => u.close()));
});

const get = (url: string, token?: string, headers: Record<string, string> = {}) =>
  gw.app.inject({ method: 'GET', url, headers: { ...(token ? bearer(token) : {}), ...headers } });

describe('routing', () => {
  it.each([
    ['/api/titles?q=space&genre=sci-fi', 'streaming'],
    ['/api/titles/t-1', 'streaming'],
    ['/api/account', 'users'],
    ['/api/profiles', 'users'],
    ['/api/profiles/p-alice/list/t-1', 'users'],
  ])('GET %s goes to %s with the public path unchanged', async (url, service) => {
    const res = await get(url, alice);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ service, method: 'GET', url });
  });

  it('forwards the verified identity and the service token, and strips forged internal headers', async () => {
    const res = await get('/api/titles', alice, {
      'x-marquee-account-id': 'acc-admin',
      'x-marquee-role': 'admin',
      'x-marquee-service-token': 'forged',
      'x-request-id': 'req-abc-123',
    });
    const { headers } = res.json();
    expect(headers).toMatchObject({
      'x-marquee-account-id': 'acc-alice',
      'x-marquee-role': 'viewer',
      'x-marquee-plan': 'standard',
      'x-marquee-session-id': 'sess-a',
      [SERVICE_TOKEN_HEADER]: SERVICE_TOKEN,
      'x-request-id': 'req-abc-123',
      'x-forwarded-for': '127.0.0.1',
    });
    expect(res.headers['x-request-id']).toBe('req-abc-123');
    expect(res.headers['x-marquee-internal']).toBeUndefined();
  });

  it('streams JSON bodies through and refuses more than 1 MiB outside uploads', async () => {
    const ok = await gw.app.inject({
      method: 'PUT',
      url: '/api/profiles/p-alice/ratings/t-1',
      headers: { ...bearer(alice), 'content-type': 'application/json' },
      payload: { thumbs: 'up' },
    });
    expect(ok.json()).toMatchObject({ service: 'users', method: 'PUT', bodyLength: 15 });
    const big = await gw.app.inject({
      method: 'POST',
      url: '/api/admin/titles',
      headers: { ...bearer(admin), 'content-type': 'application/json' },
      payload: Buffer.alloc(1024 * 1024 + 1, 0x20),
    });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
  });

  it('answers unknown API paths and dot-segment tricks with problems, not upstream calls', async () => {
    const before = streaming.seen.length;
    const unknown = await get('/api/nope', alice);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'not_found' });
    // Over a real socket: inject() would resolve the dot segments before the gateway sees them.
    const url = new URL(await gw.app.listen({ port: 0, host: '127.0.0.1' }));
    for (const path of ['/api/titles/%2e%2e/admin/titles', '/api/titles/../admin/titles', '/api//titles']) {
      const status = await new Promise<number>((resolve, reject) =>
        httpRequest({ host: url.hostname, port: url.port, path, headers: bearer(alice) }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end(),
      );
      expect(status).toBe(400);
    }
    const encoded = await get('/api/%61dmin/titles', alice);
    expect(encoded.statusCode).toBe(403); // judged as the admin path it decodes to
    expect(streaming.seen.length).toBe(before);
  });

  it('routes the admin console views to their owners', async () => {
    expect((await get('/api/admin/queue', admin)).json()).toMatchObject({ service: 'encoder' });
    expect((await get('/api/admin/edges', admin)).json()).toMatchObject({ service: 'streaming' });
    const health = await get('/api/admin/health', admin);
    expect(health.statusCode).toBe(200);
    expect(health.json().upstreams.users).toMatchObject({ circuit: 'closed', inflight: 0 });
  });

  it('says which upstream is missing when a route has none configured', async () => {
    const res = await gw.app.inject({
      method: 'GET',
      url: '/api/profiles/p-alice/home',
      headers: bearer(alice),
    });
    expect(res.statusCode).toBe(200); // home never fails: fallback
    expect(res.json()).toEqual({ rows: [], degraded: true });
  });
});

describe('authentication', () => {
  const expect401 = async (token: string | undefined, code: string) => {
    const res = await get('/api/titles', token);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ status: 401, code });
  };

  it('refuses a missing token', () => expect401(undefined, 'unauthorized'));

  it('refuses an expired token', async () =>
    expect401(await users.token({ sub: 'acc-alice', expiresIn: -120 }), 'auth.token_expired'));

  it('refuses a tampered token', async () => {
    const [h, p, s] = alice.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    await expect401(`${h}.${forgedPayload}.${s}`, 'auth.token_invalid');
  });

  it('refuses alg none', async () => {
    const unsigned = new UnsecuredJWT({ role: 'admin', plan: 'premium', sid: 's' })
      .setSubject('acc-alice')
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setExpirationTime('10m')
      .encode();
    await expect401(unsigned, 'auth.token_invalid');
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const impostor = { ...(await newSigningKey('key-1')) };
    await expect401(await mintToken(impostor, { sub: 'acc-alice', role: 'admin' }), 'auth.token_invalid');
  });

  it('refuses an unknown kid after one JWK Set refresh, and does not refetch on every forged kid', async () => {
    const before = users.jwksFetches;
    const stranger = await newSigningKey('key-from-nowhere');
    await expect401(await mintToken(stranger, { sub: 'acc-alice' }), 'auth.token_invalid');
    await expect401(await mintToken(stranger, { sub: 'acc-alice' }), 'auth.token_invalid');
    expect(users.jwksFetches - before).toBeLessThanOrEqual(1);
  });

  it('accepts a token from a key rotated in after the gateway fetched the set', async () => {
    const rotated = await newSigningKey('key-2');
    users.keys.push(rotated);
    // The previous test used the unknown-kid refresh; a fresh gateway has its cooldown ahead of it.
    const fresh = await startGateway({ users: [users.url], streaming: [streaming.url] });
    try {
      await fresh.app.inject({ url: '/api/titles', headers: bearer(alice) }); // loads the set
      const res = await fresh.app.inject({
        url: '/api/titles',
        headers: bearer(await mintToken(rotated, { sub: 'acc-alice' })),
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it('refuses a token that is not an access token (typ)', async () => {
    const idToken = await new SignJWT({ role: 'viewer', plan: 'basic', sid: 's' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'key-1', typ: 'JWT' })
      .setSubject('acc-alice')
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(users.keys[0]!.privateKey);
    await expect401(idToken, 'auth.token_invalid');
  });

  it('lets sign-up, login, refresh and logout through without a token, and ignores a bad one there', async () => {
    for (const path of ['/api/auth/signup', '/api/auth/login', '/api/auth/refresh', '/api/auth/logout']) {
      const res = await gw.app.inject({
        method: 'POST',
        url: path,
        headers: { authorization: 'Bearer garbage' },
        payload: { email: `someone@example.com`, password: 'x' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().headers['x-marquee-account-id']).toBeUndefined();
    }
    expect((await gw.app.inject({ method: 'GET', url: '/api/auth/anything-else' })).statusCode).toBe(401);
  });
});

describe('authorisation', () => {
  it('keeps admin routes for admins (403 problem for viewers)', async () => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/admin/titles',
      headers: bearer(alice),
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden', status: 403 });
    const ok = await gw.app.inject({
      method: 'POST',
      url: '/api/admin/titles',
      headers: bearer(admin),
      payload: {},
    });
    expect(ok.json()).toMatchObject({ service: 'streaming', headers: { 'x-marquee-role': 'admin' } });
  });

  it("answers 404 for another account's profile, in any profile path, and serves one's own", async () => {
    for (const url of ['/api/profiles/p-bob', '/api/profiles/p-bob/list', '/api/profiles/p-bob/history']) {
      const res = await get(url, alice);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found' });
    }
    expect((await get('/api/profiles/p-bob/list', bob)).statusCode).toBe(200);
    expect((await get('/api/profiles/p-nobody', bob)).statusCode).toBe(404);
    const patch = await gw.app.inject({
      method: 'PATCH',
      url: '/api/profiles/p-bob',
      headers: bearer(alice),
      payload: {},
    });
    expect(patch.statusCode).toBe(404);
  });

  it('caches profile owners briefly instead of asking users on every call', async () => {
    const before = users.profileLookups;
    for (let i = 0; i < 5; i++) await get('/api/profiles/p-alice/list', alice);
    expect(users.profileLookups - before).toBeLessThanOrEqual(1);
  });

  it("refuses a playback start for another account's profile", async () => {
    const start = (token: string) =>
      gw.app.inject({
        method: 'POST',
        url: '/api/playback',
        headers: bearer(token),
        payload: { profileId: 'p-bob', titleId: 't' },
      });
    expect((await start(alice)).statusCode).toBe(404);
    expect((await start(bob)).json()).toMatchObject({ service: 'streaming', url: '/api/playback' });
  });

  it("forwards the checked profile's facts with a playback start, never a client's forged ones", async () => {
    const forged = {
      'x-marquee-profile-id': 'p-bob',
      'x-marquee-profile-kids': 'false',
      'x-marquee-profile-max-maturity': 'NC-17',
    };
    const start = await gw.app.inject({
      method: 'POST',
      url: '/api/playback',
      headers: { ...bearer(bob), ...forged },
      payload: { profileId: 'p-bob', titleId: 't' },
    });
    // What users says of p-bob (a kids profile, PG), not what the client claimed.
    expect(start.json().headers).toMatchObject({
      'x-marquee-account-id': 'acc-bob',
      'x-marquee-profile-id': 'p-bob',
      'x-marquee-profile-kids': 'true',
      'x-marquee-profile-max-maturity': 'PG',
    });
    // A call that names no profile the gateway checked carries no profile facts at all.
    const titles = await get('/api/titles', bob, forged);
    expect(Object.keys(titles.json().headers).filter((h) => h.startsWith('x-marquee-profile'))).toEqual([]);
    const anonymous = await gw.app.inject({ method: 'POST', url: '/api/auth/login', headers: forged });
    expect(Object.keys(anonymous.json().headers).filter((h) => h.startsWith('x-marquee-profile'))).toEqual(
      [],
    );
  });
});
