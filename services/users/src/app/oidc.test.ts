import { describe, expect, it } from 'vitest';
import { claimsAdmin } from './oidc.js';

describe('claimsAdmin (OIDC_ADMIN_CLAIM / OIDC_ADMIN_VALUE)', () => {
  it.each([
    [['staff', 'marquee-admins'], 'marquee-admins', true],
    [['staff'], 'marquee-admins', false],
    ['marquee-admins', 'marquee-admins', true],
    ['marquee-admins-not', 'marquee-admins', false],
    [undefined, 'marquee-admins', false],
    [true, undefined, true],
    ['true', undefined, true],
    [false, undefined, false],
    [['true'], undefined, false],
    [{ role: 'marquee-admins' }, 'marquee-admins', false],
  ])('claim %j with value %j → %s', (claim, value, admin) => {
    expect(claimsAdmin(claim, value)).toBe(admin);
  });
});
