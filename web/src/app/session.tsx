import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, loadTokens, onTokens, PROFILE_KEY, saveTokens, type Tokens } from '../api/client';
import type { Account, AuthAnswer, Profile } from '@marquee/contracts/api';
import type { Plan } from '@marquee/contracts/plans';

interface Session {
  tokens: Tokens | null;
  account: Account | null;
  profile: Profile | null;
  selectProfile: (profile: Profile | null) => void;
  signIn: (email: string, password: string) => Promise<void>;
  signUp: (email: string, password: string, plan: Plan) => Promise<void>;
  signOut: () => Promise<void>;
  reloadAccount: () => Promise<void>;
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
        store(await api<AuthAnswer>('/api/auth/login', { method: 'POST', body: { email, password } }));
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
