import { useEffect, useState, type FormEvent } from 'react';
import { api, saveTokens } from '../../api/client';
import { navigate } from '../../app/router';
import { useSession } from '../../app/session';
import { failureText as message, NoteLine, type FormNote } from '../../components/form-fields';
import { HolderProofInput } from './HolderProofInput';
import { reauthenticate, reauthReturnFor, useSignOnProvider, type HolderProof } from './reauthentication';

const yourDataApi = {
  export: () => api<unknown>('/api/account/export'),
  deleteAccount: (proof: HolderProof) => api<void>('/api/account', { method: 'DELETE', body: proof }),
};

/** Hands JSON to the browser as a file: the export needs the bearer token, so a plain link cannot fetch it. */
function download(data: unknown, name: string): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click the browser holds the file; a later revoke lets a slow save finish first.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * "Your data": download everything Marquee holds about the account as JSON, and delete the account
 * (after a confirm step, with the password). Deletion ends every session, so this browser signs out.
 */
export function YourDataSection() {
  const session = useSession();
  const [note, setNote] = useState<FormNote>(null);
  const [confirming, setConfirming] = useState(false);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const provider = useSignOnProvider();
  const [reauthProof, setReauthProof] = useState<string | null>(null);
  useEffect(() => {
    const back = reauthReturnFor('delete-account');
    if (back.proof) {
      setReauthProof(back.proof);
      setConfirming(true);
    } else if (back.error) {
      setConfirming(true);
      setNote({ ok: false, text: 'Signing in again at the provider did not complete. Try again.' });
    }
  }, []);
  const confirmAtProvider = async () => {
    setNote(null);
    try {
      await reauthenticate('delete-account');
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    }
  };

  const exportData = async () => {
    setNote(null);
    setBusy(true);
    try {
      download(await yourDataApi.export(), `marquee-account-${new Date().toISOString().slice(0, 10)}.json`);
      setNote({ ok: true, text: 'Your data is downloaded as a JSON file.' });
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    } finally {
      setBusy(false);
    }
  };
  const deleteAccount = async (e: FormEvent) => {
    e.preventDefault();
    setNote(null);
    setBusy(true);
    try {
      await yourDataApi.deleteAccount(reauthProof ? { reauthProof } : { password });
      // The server ended every session already: drop the tokens without a logout call.
      saveTokens(null);
      session.selectProfile(null);
      navigate('/login?deleted=1');
    } catch (err) {
      setNote({ ok: false, text: message(err) });
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="data-heading" className="account-section">
      <h2 id="data-heading">Your data</h2>
      <p>
        Download everything Marquee holds about this account: profiles, My List, ratings, viewing history,
        sessions and playback sessions.
      </p>
      <div>
        <button className="secondary" disabled={busy} onClick={() => void exportData()}>
          Download your data
        </button>
      </div>
      {!confirming ? (
        <div>
          <button className="secondary" onClick={() => setConfirming(true)}>
            Delete account…
          </button>
        </div>
      ) : (
        <form onSubmit={(e) => void deleteAccount(e)} className="stacked-form danger-zone">
          <p>
            <strong>This cannot be undone.</strong> The account, its profiles, lists, ratings and viewing
            history are deleted, and every device is signed out.
          </p>
          <HolderProofInput
            passwordLabel="Password to delete the account"
            password={password}
            onPassword={setPassword}
            provider={provider}
            reauthProof={reauthProof}
            onConfirmAtProvider={() => void confirmAtProvider()}
            then="confirm below."
          />
          <div className="inline-form">
            <button className="danger" type="submit" disabled={busy}>
              Delete my account
            </button>
            <button
              className="ghost"
              type="button"
              onClick={() => {
                setConfirming(false);
                setPassword('');
                setReauthProof(null);
              }}
            >
              Keep my account
            </button>
          </div>
        </form>
      )}
      <NoteLine note={note} />
    </section>
  );
}
