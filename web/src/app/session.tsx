import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, loadTokens, onTokens, PROFILE_KEY, saveTokens, type Tokens } from '../api/client';
import type { Account, AuthAnswer, Profile } from '@marquee/contracts/api';
import type { Plan } from '@marquee/contracts/plans';

interface Session {
  tokens: Tokens | null;
  account: Account | null;
  profile: Profile | null;
  selectProfile: (profile: Profile | null) => void;
  /** Resolves with a second step when the account has two-step sign-in on (then completeSignIn). */
  signIn: (email: string, password: string) => Promise<MfaStep | undefined>;
  completeSignIn: (mfaToken: string, code: string) => Promise<void>;
  /** The last step of "Sign in with <provider>": the handoff code the provider's return carried. */
  completeSingleSignOn: (handoff: string) => Promise<void>;
  signUp: (email: string, password: string, plan: Plan) => Promise<void>;
  signOut: () => Promise<void>;
  reloadAccount: () => Promise<void>;
}

/** The password step's answer for an account with two-step sign-in: a code comes next. */
export interface MfaStep {
  mfaRequired: true;
  mfaToken: string;
  expiresIn: number;
}

const SessionContext = createContext<Session | null>(null);

function store(answer: AuthAnswer) {
  saveTokens({
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    expiresAt: Date.now() + answer.expiresIn * 1000,
  });
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [tokens, setTokens] = useState<Tokens | null>(loadTokens);
  const [account, setAccount] = useState<Account | null>(null);
  const [profile, setProfile] = useState<Profile | null>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(PROFILE_KEY) ?? 'null') as Profile | null;
    } catch {
      return null;
    }
  });

  useEffect(() => onTokens(setTokens), []);

  const reloadAccount = useCallback(async () => {
    if (!loadTokens()) return setAccount(null);
    setAccount(await api<Account>('/api/account'));
  }, []);

  useEffect(() => {
    if (tokens) reloadAccount().catch(() => setAccount(null));
    else setAccount(null);
  }, [tokens !== null, reloadAccount]);

  const selectProfile = useCallback((p: Profile | null) => {
    setProfile(p);
    if (p) sessionStorage.setItem(PROFILE_KEY, JSON.stringify(p));
    else sessionStorage.removeItem(PROFILE_KEY);
  }, []);

  const value = useMemo<Session>(
    () => ({
      tokens,
      account,
      profile,
      selectProfile,
      reloadAccount,
      async signIn(email, password) {
        const answer = await api<AuthAnswer | MfaStep>('/api/auth/login', {
          method: 'POST',
          body: { email, password },
        });
        if ('mfaRequired' in answer) return answer;
        store(answer);
        selectProfile(null);
        return undefined;
      },
      async completeSignIn(mfaToken, code) {
        store(await api<AuthAnswer>('/api/auth/login/mfa', { method: 'POST', body: { mfaToken, code } }));
        selectProfile(null);
      },
      async completeSingleSignOn(handoff) {
        store(await api<AuthAnswer>('/api/auth/oidc/token', { method: 'POST', body: { handoff } }));
        selectProfile(null);
      },
      async signUp(email, password, plan) {
        store(await api<AuthAnswer>('/api/auth/signup', { method: 'POST', body: { email, password, plan } }));
        selectProfile(null);
      },
      async signOut() {
        const current = loadTokens();
        if (current)
          await api('/api/auth/logout', {
            method: 'POST',
            body: { refreshToken: current.refreshToken },
          }).catch(() => undefined);
        saveTokens(null);
        selectProfile(null);
      },
    }),
    [tokens, account, profile, selectProfile, reloadAccount],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
