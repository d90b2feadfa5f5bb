import { useState, type FormEvent } from 'react';
import { navigate } from '../app/router';
import { useSession } from '../app/session';
import { failureText } from '../components/form-fields';

/**
 * The sign-in's second step for an account with two-step sign-in on: the authenticator app's code,
 * or one of the recovery codes (each works once).
 */
export function SignInCode({ mfaToken, onRestart }: { mfaToken: string; onRestart: () => void }) {
  const session = useSession();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.completeSignIn(mfaToken, code.trim());
      navigate('/profiles');
    } catch (err) {
      setError(failureText(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth">
      <form className="auth-card" onSubmit={(e) => void submit(e)} aria-labelledby="code-title">
        <h1 id="code-title">Two-step sign-in</h1>
        <p className="hint">Open your authenticator app and type the 6-digit code it shows for Marquee.</p>
        <label>
          Code
          <input
            autoComplete="one-time-code"
            autoFocus
            required
            minLength={6}
            maxLength={32}
            spellCheck={false}
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </label>
        <p className="hint">Lost your phone? Type one of your recovery codes instead.</p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : 'Verify'}
        </button>
        <p className="switch">
          <button type="button" className="secondary" onClick={onRestart}>
            Start again with your password
          </button>
        </p>
      </form>
    </main>
  );
}
