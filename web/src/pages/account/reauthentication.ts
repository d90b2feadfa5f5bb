import { useEffect, useState } from 'react';
import { api } from '../../api/client';

/** How the account holder confirms a grave change: the password, or a fresh sign-in at the provider. */
export type HolderProof = { password: string } | { reauthProof: string };

/** Which change a re-authentication was started for; the provider's return lands on /account either way. */
export type ReauthPurpose = 'delete-account' | 'profile-lock';

const PURPOSE_KEY = 'marquee.reauthFor';

/** The single sign-on provider's name, or null where none is configured. */
export function useSignOnProvider(): string | null {
  const [provider, setProvider] = useState<string | null>(null);
  useEffect(() => {
    api<{ oidc: { name: string } | null }>('/api/auth/options').then(
      (options) => setProvider(options.oidc?.name ?? null),
      () => undefined,
    );
  }, []);
  return provider;
}

/**
 * Sends the browser to the provider to sign in again (users forces a fresh login there). `context`
 * (such as which profile) comes back with the proof; it stays in this tab's sessionStorage.
 */
export async function reauthenticate(
  purpose: ReauthPurpose,
  context: Record<string, string> = {},
): Promise<void> {
  const { url } = await api<{ url: string }>('/api/account/reauthentication', { method: 'POST' });
  sessionStorage.setItem(PURPOSE_KEY, JSON.stringify({ ...context, purpose }));
  window.location.assign(url);
}

interface ReauthReturn {
  proof: string | null;
  error: string | null;
  context: Record<string, string>;
}
let pending: (ReauthReturn & { purpose: string }) | undefined;

/**
 * The provider's return from a re-authentication, once, to the section that started it:
 * `#reauth=<proof>` or `?sso_error=<type>`, taken out of the address at once (like the sign-in's handoff
 * code). A return with no recorded purpose (started in another tab) is the deletion's, the first to use it.
 */
export function reauthReturnFor(purpose: ReauthPurpose): ReauthReturn {
  const proof = new URLSearchParams(window.location.hash.slice(1)).get('reauth');
  const error = new URLSearchParams(window.location.search).get('sso_error');
  if (proof || error) {
    window.history.replaceState(null, '', window.location.pathname);
    const { purpose: started = 'delete-account', ...context } = JSON.parse(
      sessionStorage.getItem(PURPOSE_KEY) ?? '{}',
    ) as Record<string, string>;
    sessionStorage.removeItem(PURPOSE_KEY);
    pending = { proof, error, context, purpose: started };
  }
  if (pending?.purpose !== purpose) return { proof: null, error: null, context: {} };
  const mine = pending;
  pending = undefined;
  return mine;
}
