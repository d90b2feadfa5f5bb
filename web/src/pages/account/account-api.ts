import { api } from '../../api/client';
import type { Plan } from '@marquee/contracts/plans';

/** The account pages' calls (users service through the gateway). */
export interface AccountDetails {
  accountId: string;
  email: string;
  plan: Plan;
  role: string;
  pendingPlan: Plan | null;
  emailVerified?: boolean;
}

export interface SignedInDevice {
  sessionId: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  current: boolean;
}

export interface TokenPairAnswer {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export const accountApi = {
  details: () => api<AccountDetails>('/api/account'),
  devices: async () => (await api<{ items: SignedInDevice[] }>('/api/account/sessions')).items,
  signOutDevice: (sessionId: string) =>
    api<void>(`/api/account/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' }),
  signOutEverywhere: () => api<void>('/api/account/sessions', { method: 'DELETE' }),
  changePassword: (currentPassword: string, newPassword: string) =>
    api<TokenPairAnswer>('/api/account/password', {
      method: 'PUT',
      body: { currentPassword, newPassword },
    }),
  changePlan: (plan: Plan) =>
    api<AccountDetails & { detail?: string }>('/api/account/plan', { method: 'PUT', body: { plan } }),
  resendVerification: () => api<{ detail: string }>('/api/account/email-verification', { method: 'POST' }),
  verifyEmail: (token: string) => api<void>('/api/auth/verify-email', { method: 'POST', body: { token } }),
  requestReset: (email: string) =>
    api<{ detail: string }>('/api/auth/password-reset/request', { method: 'POST', body: { email } }),
  resetPassword: (token: string, newPassword: string) =>
    api<void>('/api/auth/password-reset', { method: 'POST', body: { token, newPassword } }),
};

/** "Chrome on Linux" from a user agent, for the devices list; the raw string is too long to read. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /curl|node|undici/i.test(userAgent)
            ? 'A program'
            : 'A browser';
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Mac OS X/.test(userAgent)
        ? 'macOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  return system ? `${browser} on ${system}` : browser;
}
