import { generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { type Database } from '@marquee/platform';
import { openTestDatabase } from '@marquee/platform/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateUsers } from '../src/index.js';
import type { UsersTables } from '../src/store/tables.js';
import { signAccessToken } from '../src/tokens/access-tokens.js';
import { createKeySealer } from '../src/tokens/sealed-keys.js';
import { SigningKeys } from '../src/tokens/signing-keys.js';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '@marquee/core';

const SECRET = 'test-secret-0123456789abcdef0123456789';
const subject = { accountId: 'acc-1', role: 'viewer', plan: 'standard', sessionId: 'sess-1' } as const;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens and signing keys', () => {
  let db: Database<UsersTables>;
  let now: Date;
  let keys: SigningKeys;
  let fetches: number;
  let verifier: AccessTokenVerifier;
  const clock = () => now;
  const newVerifier = (at?: () => Date) =>
    createAccessTokenVerifier({
      fetchJwks: async (): Promise<JSONWebKeySet> => {
        fetches += 1;
        return keys.jwks();
      },
      unknownKidCooldownMs: 0,
      ...(at ? { now: at } : {}),
    });

  beforeEach(async () => {
    db = await openTestDatabase<UsersTables>('embedded');
    await migrateUsers(db);
    now = new Date();
    keys = new SigningKeys({ db: db.write, sealer: createKeySealer(SECRET), clock, reloadAfterMs: 0 });
    await keys.ensure();
    fetches = 0;
    verifier = newVerifier();
  });
  afterEach(async () => {
    await db.close();
  });

  it('signs EdDSA tokens with a kid and the agreed claims, and verifies them', async () => {
    const { accessToken, expiresIn } = await signAccessToken(await keys.current(), subject, now);
    expect(expiresIn).toBe(900);
    const [header, payload] = accessToken
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'EdDSA', kid: (await keys.current()).kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({
      sub: 'acc-1',
      role: 'viewer',
      plan: 'standard',
      sid: 'sess-1',
      iss: 'marquee-users',
      aud: 'marquee',
    });
    expect(Number(payload!.exp) - Number(payload!.iat)).toBe(900);
    await expect(verifier.verify(accessToken)).resolves.toEqual({ ...subject, expiresAt: payload!.exp });
  });

  it('publishes only public keys', async () => {
    const jwks = await keys.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.any(String),
      kid: expect.any(String),
      alg: 'EdDSA',
      use: 'sig',
    });
  });

  it('refuses tampered, unsigned, expired and foreign tokens', async () => {
    const { accessToken } = await signAccessToken(await keys.current(), subject, now);
    const [h, p, s] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${b64({ ...claims, role: 'admin' })}.${s}`;
    const none = `${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`;
    const noneWithKid = `${b64({ alg: 'none', kid: JSON.parse(Buffer.from(h, 'base64url').toString()).kid, typ: 'at+jwt' })}.${p}.`;
    const foreign = await generateKeyPair('EdDSA');
    const otherKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: (await keys.current()).kid, typ: 'at+jwt' })
      .sign(foreign.privateKey);
    const otherKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'attacker', typ: 'at+jwt' })
      .sign(foreign.privateKey);
    const hmacWithPublicKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: (await keys.current()).kid, typ: 'at+jwt' })
      .sign(Buffer.from(JSON.stringify((await keys.current()).publicJwk)));
    const wrongType = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: (await keys.current()).kid })
      .sign((await keys.current()).privateKey);
    for (const [name, token] of Object.entries({
      tampered,
      none,
      noneWithKid,
      otherKey,
      otherKid,
      hmacWithPublicKey,
      wrongType,
      garbage: 'not.a.jwt',
    })) {
      await expect(verifier.verify(token), name).rejects.toMatchObject({ code: 'auth.token_invalid' });
    }
    const late = newVerifier(() => new Date(now.getTime() + 16 * 60 * 1000));
    await expect(late.verify(accessToken)).rejects.toMatchObject({ code: 'auth.token_expired' });
  });

  it('rotates: the new key signs, tokens of the previous key still verify, a stale verifier catches up', async () => {
    const before = await signAccessToken(await keys.current(), subject, now);
    await verifier.verify(before.accessToken);
    const fetchedBefore = fetches;
    const oldKid = (await keys.current()).kid;
    const rotated = await keys.rotate();
    expect(rotated.kid).not.toBe(oldKid);
    expect((await keys.current()).kid).toBe(rotated.kid);
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([rotated.kid, oldKid]);
    const after = await signAccessToken(await keys.current(), subject, now);
    // This verifier cached the JWKS before the rotation: the unknown kid makes it fetch once more.
    await expect(verifier.verify(after.accessToken)).resolves.toMatchObject({ accountId: 'acc-1' });
    expect(fetches).toBe(fetchedBefore + 1);
    await expect(verifier.verify(before.accessToken)).resolves.toMatchObject({ accountId: 'acc-1' });
  });

  it('rotates by age at start and keeps three keys published', async () => {
    const first = (await keys.current()).kid;
    now = new Date(now.getTime() + 31 * 24 * 3600 * 1000);
    await keys.ensure();
    const second = (await keys.current()).kid;
    expect(second).not.toBe(first);
    await keys.rotate();
    await keys.rotate();
    const published = (await keys.jwks()).keys.map((k) => k.kid);
    expect(published).toHaveLength(3);
    expect(published).not.toContain(first);
  });

  it('keeps private keys sealed under the secret', async () => {
    const row = await db.write.selectFrom('signing_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.private_jwk_sealed).not.toContain('"d"');
    const stranger = new SigningKeys({
      db: db.write,
      sealer: createKeySealer('another-secret-0123456789abcdef012345'),
      clock,
    });
    await expect(stranger.ensure()).rejects.toThrow();
  });
});
