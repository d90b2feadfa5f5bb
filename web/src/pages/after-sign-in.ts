import { api } from '../api/client';

/**
 * Where a fresh sign-in lands. With AUTH_REQUIRE_ADMIN_2FA an admin without two-step sign-in gets
 * viewer tokens (docs/users.md): rather than an admin console that refuses everything, they land on
 * the account page's two-step section, which says why. Everyone else chooses a profile.
 */
export async function landingAfterSignIn(): Promise<string> {
  try {
    const status = await api<{ enabled: boolean; required: boolean }>('/api/account/two-factor');
    return status.required && !status.enabled ? '/account?two-step=required' : '/profiles';
  } catch {
    return '/profiles';
  }
}
