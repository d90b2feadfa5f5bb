import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { PLAN_NAMES, planLimits, type Plan } from '@marquee/contracts/plans';
import { Link, navigate } from '../app/router';
import { useSession } from '../app/session';
import { useDocumentTitle } from '../app/document-title';
import { EmailField, failureText, PasswordField } from '../components/form-fields';
import { landingAfterSignIn } from './after-sign-in';
import { SignInCode } from './SignInCode';

/** The sign-up choices, described from the plans table itself: e.g. "Standard, 1080p · 2 screens". */
const PLANS: { id: Plan; name: string; detail: string }[] = PLAN_NAMES.map((id) => {
  const { maxHeight, maxStreams } = planLimits(id);
  const resolution = maxHeight >= 2160 ? '4K' : `${maxHeight}p`;
  const screens = `${maxStreams} screen${maxStreams === 1 ? '' : 's'}`;
  return { id, name: id[0]!.toUpperCase() + id.slice(1), detail: `${resolution} · ${screens}` };
});

interface SignInOptions {
  localPasswords: boolean;
  oidc: { name: string } | null;
}

/** What the provider's return said went wrong (the callback sends the problem type). */
const SSO_ERRORS: Record<string, string> = {
  'auth.oidc_email_unverified':
    'An account with this email exists, and the provider has not verified the address. Verify it there, or sign in with your password.',
  'auth.oidc_unavailable': 'The sign-in provider cannot be reached. Try again shortly.',
  'auth.account_disabled': 'This account is disabled.',
  'auth.oidc_failed': 'Single sign-on did not complete. Start again.',
  'auth.oidc_denied':
    'The sign-in provider did not let you in (or the sign-in was cancelled there). Start again.',
};

export function AuthPage({ mode }: { mode: 'signin' | 'signup' }) {
  const session = useSession();
  useDocumentTitle(mode === 'signin' ? 'Sign in' : 'Sign up');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [plan, setPlan] = useState<Plan>('standard');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [options, setOptions] = useState<SignInOptions>({ localPasswords: true, oidc: null });
  // Set by the account page after the account is deleted (every session ended with it).
  const deleted = new URLSearchParams(window.location.search).has('deleted');
  useEffect(() => {
    api<SignInOptions>('/api/auth/options').then(setOptions, () => undefined);
    const ssoError = new URLSearchParams(window.location.search).get('sso_error');
    if (ssoError) setError(SSO_ERRORS[ssoError] ?? SSO_ERRORS['auth.oidc_failed']!);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'signup') await session.signUp(email, password, plan);
      else {
        const step = await session.signIn(email, password);
        if (step) return setMfaToken(step.mfaToken);
        return navigate(await landingAfterSignIn());
      }
      navigate('/profiles');
    } catch (err) {
      setError(failureText(err));
    } finally {
      setBusy(false);
    }
  };

  if (mfaToken)
    return (
      <SignInCode
        mfaToken={mfaToken}
        onRestart={() => {
          setMfaToken(null);
          setPassword('');
        }}
      />
    );

  return (
    <main className="auth">
      <form className="auth-card" onSubmit={(e) => void submit(e)} aria-labelledby="auth-title">
        <h1 id="auth-title">{mode === 'signup' ? 'Create your account' : 'Sign in'}</h1>
        {deleted && mode === 'signin' && (
          <p className="notice" role="status">
            Your account and its data are deleted, and every device is signed out.
          </p>
        )}
        {options.oidc && (
          <a className="button secondary sso" href="/api/auth/oidc/start">
            Sign in with {options.oidc.name}
          </a>
        )}
        {options.localPasswords && (
          <>
            <EmailField value={email} onChange={setEmail} />
            <PasswordField
              label="Password"
              fresh={mode === 'signup'}
              value={password}
              onChange={setPassword}
            />
          </>
        )}
        {mode === 'signup' && (
          <>
            <p className="hint">At least 12 characters. A passphrase works well.</p>
            <fieldset className="plans">
              <legend>Plan</legend>
              {PLANS.map((p) => (
                <label key={p.id} className={plan === p.id ? 'plan selected' : 'plan'}>
                  <input
                    type="radio"
                    name="plan"
                    value={p.id}
                    checked={plan === p.id}
                    onChange={() => setPlan(p.id)}
                  />
                  <strong>{p.name}</strong>
                  <span>{p.detail}</span>
                </label>
              ))}
            </fieldset>
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {options.localPasswords && (
          <button className="primary" type="submit" disabled={busy}>
            {busy ? 'Please wait…' : mode === 'signup' ? 'Sign up' : 'Sign in'}
          </button>
        )}
        <p className="switch">
          {mode === 'signup' ? (
            <>
              Already have an account? <Link href="/login">Sign in</Link>
            </>
          ) : (
            <>
              {/* With passwords off a reset is refused: the provider is where a password is reset. */}
              {options.localPasswords && (
                <>
                  <Link href="/forgot-password">Forgot your password?</Link>
                  <br />
                </>
              )}
              New to Marquee? <Link href="/signup">Create an account</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
