import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { profileLocksApi, profilesApi, type ListedProfile } from '../../api/endpoints';
import { PinInput } from '../../components/PinInput';
import { failureText as message, NoteLine, type FormNote } from '../../components/form-fields';
import { HolderProofInput } from './HolderProofInput';
import { reauthenticate, reauthReturnFor, useSignOnProvider } from './reauthentication';

/**
 * Profile locks on the account page: the account holder sets, changes or removes a profile's 4-digit
 * PIN, confirming with the account password. An adult profile with a PIN then opens only with it; a
 * device that enters a kids profile with a PIN stays in it until the PIN is typed.
 */
export function ProfileLocksSection() {
  const [profiles, setProfiles] = useState<ListedProfile[] | null>(null);
  const [profileId, setProfileId] = useState('');
  const [pin, setPin] = useState('');
  const [password, setPassword] = useState('');
  const [note, setNote] = useState<FormNote>(null);
  const provider = useSignOnProvider();
  const [reauthProof, setReauthProof] = useState<string | null>(null);
  useEffect(() => {
    // Back from the provider: the same profile is chosen again, and the proof confirms one change.
    const back = reauthReturnFor('profile-lock');
    if (back.context.profileId) setProfileId(back.context.profileId);
    if (back.proof) setReauthProof(back.proof);
    else if (back.error)
      setNote({ ok: false, text: 'Signing in again at the provider did not complete. Try again.' });
  }, []);
  const proof = () => (reauthProof ? { reauthProof } : { password });
  const confirmAtProvider = async () => {
    setNote(null);
    try {
      await reauthenticate('profile-lock', { profileId });
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    }
  };

  const reload = useCallback(async () => {
    try {
      const list = await profilesApi.list();
      setProfiles(list);
      setProfileId((current) => current || list[0]?.profileId || '');
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    }
  }, []);
  useEffect(() => void reload(), [reload]);

  const chosen = profiles?.find((p) => p.profileId === profileId);
  const act = (run: () => Promise<string>) => async (e?: FormEvent) => {
    e?.preventDefault();
    setNote(null);
    try {
      const done = await run();
      setPin('');
      setPassword('');
      setReauthProof(null);
      setNote({ ok: true, text: done });
      await reload();
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    }
  };
  const setLock = act(async () => {
    await profileLocksApi.setPin(profileId, pin, proof());
    return chosen?.kids
      ? `${chosen.name} has a PIN: a device that enters it stays there until the PIN is typed.`
      : `${chosen?.name ?? 'The profile'} now opens only with its PIN.`;
  });
  const removeLock = act(async () => {
    await profileLocksApi.removePin(profileId, proof());
    return `${chosen?.name ?? 'The profile'} has no PIN any more.`;
  });

  return (
    <section aria-labelledby="locks-heading" className="account-section">
      <h2 id="locks-heading">Profile locks</h2>
      <p className="hint">
        A 4-digit PIN keeps others out of a profile, or keeps a child in a kids profile on a device.
      </p>
      {profiles && (
        <ul className="profile-locks">
          {profiles.map((p) => (
            <li key={p.profileId}>
              {p.name}
              {p.kids && <span className="badge">Kids</span>}
              <span className={p.locked ? 'badge' : 'badge off'}>{p.locked ? 'PIN on' : 'No PIN'}</span>
            </li>
          ))}
        </ul>
      )}
      {profiles && profiles.length > 0 && (
        <form onSubmit={(e) => void setLock(e)} className="stacked-form">
          <label>
            Profile
            <select value={profileId} onChange={(e) => setProfileId(e.target.value)}>
              {profiles.map((p) => (
                <option key={p.profileId} value={p.profileId}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            New PIN (4 digits)
            <PinInput value={pin} onChange={setPin} />
          </label>
          <HolderProofInput
            passwordLabel="Account password to confirm"
            password={password}
            onPassword={setPassword}
            provider={provider}
            reauthProof={reauthProof}
            onConfirmAtProvider={() => void confirmAtProvider()}
            then="set or remove the PIN."
          />
          <div className="inline-form">
            <button className="secondary" type="submit" disabled={pin.length !== 4}>
              {chosen?.locked ? 'Change PIN' : 'Set PIN'}
            </button>
            {chosen?.locked && (
              <button className="secondary" type="button" onClick={() => void removeLock()}>
                Remove PIN
              </button>
            )}
          </div>
        </form>
      )}
      <NoteLine note={note} />
    </section>
  );
}
