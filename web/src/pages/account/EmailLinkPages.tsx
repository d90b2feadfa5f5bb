import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useDocumentTitle } from '../../app/document-title';
import { Link, useLocation } from '../../app/router';
import { useSession } from '../../app/session';
import {
  EmailField,
  failureText as message,
  NoteLine,
  PasswordField,
  type FormNote,
} from '../../components/form-fields';
import { accountApi } from './account-api';

/** "Forgot password?": asks for a reset mail. The answer is the same whether the address is known. */
export function ForgotPasswordPage() {
  useDocumentTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [note, setNote] = useState<FormNote>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await accountApi.requestReset(email);
      setNote({
        ok: true,
        text: 'If an account uses this address, a mail with a link to choose a new password is on its way. The link works for one hour.',
      });
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="auth">
      <form className="auth-card" onSubmit={(e) => void submit(e)} aria-labelledby="forgot-title">
        <h1 id="forgot-title">Reset your password</h1>
        <p className="hint">Enter your account’s email address; we will mail you a link.</p>
        <EmailField value={email} onChange={setEmail} />
        <NoteLine note={note} okClassName="notice" />
        <button className="primary" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : 'Send the link'}
        </button>
        <p className="switch">
          Remembered it? <Link href="/login">Sign in</Link>
        </p>
      </form>
    </main>
  );
}

/** Where the reset mail's link leads: choose a new password with the link's token. */
export function ResetPasswordPage() {
  useDocumentTitle('Choose a new password');
  const { query } = useLocation();
  const token = query.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await accountApi.resetPassword(token, password);
      setDone(true);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  if (done)
    return (
      <main className="auth">
        <div className="auth-card">
          <h1>Password changed</h1>
          <p role="status">Every device that was signed in is signed out. Sign in with your new password.</p>
          <Link className="primary button" href="/login">
            Sign in
          </Link>
        </div>
      </main>
    );
  return (
    <main className="auth">
      <form className="auth-card" onSubmit={(e) => void submit(e)} aria-labelledby="reset-title">
        <h1 id="reset-title">Choose a new password</h1>
        <PasswordField label="New password" fresh value={password} onChange={setPassword} />
        <p className="hint">At least 12 characters. A passphrase works well.</p>
        {error && (
          <p className="error" role="alert">
            {error} {error.includes('link') && <Link href="/forgot-password">Ask for a new link</Link>}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy || !token}>
          {busy ? 'Please wait…' : 'Set the new password'}
        </button>
      </form>
    </main>
  );
}

/** Where the verification mail's link leads: confirms the address as soon as it opens. */
export function VerifyEmailPage() {
  useDocumentTitle('Confirm your email');
  const { query } = useLocation();
  const session = useSession();
  const token = query.get('token') ?? '';
  const [state, setState] = useState<FormNote>(null);
  const sent = useRef(false);
  useEffect(() => {
    // Once: the link is single-use, and React may run effects twice in development.
    if (sent.current) return;
    sent.current = true;
    accountApi.verifyEmail(token).then(
      () => setState({ ok: true, text: 'Your email address is confirmed. Thank you.' }),
      (err: unknown) => setState({ ok: false, text: message(err) }),
    );
  }, [token]);
  return (
    <main className="auth">
      <div className="auth-card">
        <h1>Confirm your email</h1>
        {!state && <p className="loading">Checking the link…</p>}
        <NoteLine note={state} okClassName="notice" />
        <Link className="primary button" href={session.tokens ? '/' : '/login'}>
          {session.tokens ? 'Go to Marquee' : 'Sign in'}
        </Link>
      </div>
    </main>
  );
}
