import { useState, type FormEvent } from 'react';
import { PLAN_NAMES, planLimits, type Plan } from '@marquee/contracts/plans';
import { Link, navigate } from '../app/router';
import { useSession } from '../app/session';
import { useDocumentTitle } from '../app/document-title';
import { EmailField, failureText, PasswordField } from '../components/form-fields';

/** The sign-up choices, described from the plans table itself: e.g. "Standard, 1080p · 2 screens". */
const PLANS: { id: Plan; name: string; detail: string }[] = PLAN_NAMES.map((id) => {
  const { maxHeight, maxStreams } = planLimits(id);
  const resolution = maxHeight >= 2160 ? '4K' : `${maxHeight}p`;
  const screens = `${maxStreams} screen${maxStreams === 1 ? '' : 's'}`;
  return { id, name: id[0]!.toUpperCase() + id.slice(1), detail: `${resolution} · ${screens}` };
});

export function AuthPage({ mode }: { mode: 'signin' | 'signup' }) {
  const session = useSession();
  useDocumentTitle(mode === 'signin' ? 'Sign in' : 'Sign up');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [plan, setPlan] = useState<Plan>('standard');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'signup') await session.signUp(email, password, plan);
      else await session.signIn(email, password);
      navigate('/profiles');
    } catch (err) {
      setError(failureText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth">
      <form className="auth-card" onSubmit={(e) => void submit(e)} aria-labelledby="auth-title">
        <h1 id="auth-title">{mode === 'signup' ? 'Create your account' : 'Sign in'}</h1>
        <EmailField value={email} onChange={setEmail} />
        <PasswordField label="Password" fresh={mode === 'signup'} value={password} onChange={setPassword} />
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
        <button className="primary" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : mode === 'signup' ? 'Sign up' : 'Sign in'}
        </button>
        <p className="switch">
          {mode === 'signup' ? (
            <>
              Already have an account? <Link href="/login">Sign in</Link>
            </>
          ) : (
            <>
              <Link href="/forgot-password">Forgot your password?</Link>
              <br />
              New to Marquee? <Link href="/signup">Create an account</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
