import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { ContentKeyError, createContentKeyring, newContentKey, parseMasterKeys } from './content-keys.js';

const secret = 's'.repeat(40);
const masterKey = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

describe('content keys', () => {
  it('wraps a content key so that only the same master key opens it', () => {
    const ring = createContentKeyring({ secret });
    const key = newContentKey();
    const wrapped = ring.wrap(key);
    expect(wrapped.method).toBe('AES-128');
    expect(wrapped.keyId).toMatch(/^s-/);
    expect(Buffer.from(wrapped.wrapped, 'base64url').includes(key)).toBe(false);
    expect(ring.unwrap(wrapped).equals(key)).toBe(true);
    expect(() => createContentKeyring({ secret: 't'.repeat(40) }).unwrap(wrapped)).toThrow(ContentKeyError);
  });

  it('refuses a tampered wrap', () => {
    const ring = createContentKeyring({ secret });
    const wrapped = ring.wrap(newContentKey());
    const bytes = Buffer.from(wrapped.wrapped, 'base64url');
    bytes[14]! ^= 1;
    expect(() => ring.unwrap({ ...wrapped, wrapped: bytes.toString('base64url') })).toThrow(ContentKeyError);
  });

  it('rotates: new wraps use the first configured key, older ids (and the derived one) still open', () => {
    const before = createContentKeyring({ secret });
    const old = masterKey('k1');
    const k1 = createContentKeyring({ secret, masterKeys: old });
    const k2 = createContentKeyring({ secret, masterKeys: `${masterKey('k2')},${old}` });
    const key = newContentKey();
    const derivedWrap = before.wrap(key);
    const k1Wrap = k1.wrap(key);
    expect(k1Wrap.keyId).toBe('k1');
    expect(k2.currentKeyId).toBe('k2');
    expect(k2.wrap(key).keyId).toBe('k2');
    expect(k2.unwrap(k1Wrap).equals(key)).toBe(true);
    expect(k2.unwrap(derivedWrap).equals(key)).toBe(true);
    // A master key taken out of the list no longer opens what it wrapped.
    expect(() => createContentKeyring({ secret, masterKeys: masterKey('k3') }).unwrap(k1Wrap)).toThrow(
      /k1 is not configured/,
    );
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => parseMasterKeys(`k1:${randomBytes(16).toString('base64')}`)).toThrow(ConfigError);
  });
});
