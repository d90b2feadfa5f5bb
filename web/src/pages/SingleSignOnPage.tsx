import { useEffect, useRef, useState } from 'react';
import { Link, navigate } from '../app/router';
import { useSession } from '../app/session';
import { useDocumentTitle } from '../app/document-title';
import { failureText } from '../components/form-fields';
import { landingAfterSignIn } from './after-sign-in';

/**
 * Where the provider's return lands: the one-minute handoff code is in the fragment (never sent to a
 * server in a URL, nor kept in history), exchanged once for this browser's tokens.
 */
export function SingleSignOnPage() {
  useDocumentTitle('Signing in');
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const handoff = new URLSearchParams(window.location.hash.slice(1)).get('handoff');
    window.history.replaceState(null, '', window.location.pathname);
    if (!handoff) return setError('This sign-in link is incomplete; start again.');
    session.completeSingleSignOn(handoff).then(
      async () => navigate(await landingAfterSignIn(), { replace: true }),
      (err: unknown) => setError(failureText(err)),
    );
  }, [session]);

  return (
    <main className="auth">
      <div className="auth-card">
        <h1>{error ? 'Sign-in did not complete' : 'Signing you in…'}</h1>
        {error && (
          <>
            <p className="error" role="alert">
              {error}
            </p>
            <Link href="/login">Back to sign in</Link>
          </>
        )}
      </div>
    </main>
  );
}
