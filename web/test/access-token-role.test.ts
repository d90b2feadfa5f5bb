import { describe, expect, it } from 'vitest';
import { accessTokenRole } from '../src/app/token-role.js';

const jwt = (claims: object) =>
  ['{"alg":"EdDSA","typ":"at+jwt"}', JSON.stringify(claims)]
    .map((part) => Buffer.from(part).toString('base64url'))
    .concat('c2lnbmF0dXJl')
    .join('.');

describe('the role the web app reads from an access token (the header shows Admin only for admin)', () => {
  it('reads the role claim, base64url and all', () => {
    expect(accessTokenRole(jwt({ sub: 'a', role: 'admin' }))).toBe('admin');
    // These claims encode with '_' in base64url ('/' in plain base64): the decoding must map it back.
    expect(accessTokenRole(jwt({ sub: '??>??>', role: 'viewer', name: 'ÿþ' }))).toBe('viewer');
  });
  it('is null for no role, an unknown one, or no JWT at all', () => {
    expect(accessTokenRole(jwt({ sub: 'a' }))).toBeNull();
    expect(accessTokenRole(jwt({ role: 'owner' }))).toBeNull();
    expect(accessTokenRole('opaque-token')).toBeNull();
    expect(accessTokenRole('a.!!!.c')).toBeNull();
  });
});
