import { isRole, type Role } from '@marquee/contracts/plans';

/**
 * The role an access token carries (its `role` claim), read without verifying it: only for what the
 * page shows, since the gateway checks every call. It can differ from the account's role — an admin held
 * to viewer tokens until enrolling in two-step sign-in (AUTH_REQUIRE_ADMIN_2FA) — and it is what the
 * admin API answers to. Null for anything that is not a JWT with a known role.
 */
export function accessTokenRole(accessToken: string): Role | null {
  const payload = accessToken.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const { role } = JSON.parse(json) as { role?: unknown };
    return isRole(role) ? role : null;
  } catch {
    return null;
  }
}
