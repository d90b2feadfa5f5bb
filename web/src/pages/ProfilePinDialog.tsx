import { useRef, useState, type FormEvent } from 'react';
import { ApiError, rememberProfileKey } from '../api/client';
import { profileLocksApi, type ListedProfile } from '../api/endpoints';
import { waitPhrase } from '../api/messages';
import { failureText } from '../components/form-fields';
import { FormDialog } from '../components/FormDialog';
import { PinInput } from '../components/PinInput';

/** A wrong PIN says how many tries are left; the limit says how long to wait (users allows 5 per 15 minutes). */
export function pinFailureText(err: unknown): string {
  if (err instanceof ApiError && err.code === 'profile.pin_wrong') {
    const left = err.body.attemptsLeft;
    return typeof left === 'number'
      ? `That PIN is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.`
      : 'That PIN is not right.';
  }
  if (err instanceof ApiError && err.code === 'profile.pin_attempts') {
    const wait = typeof err.body.retryAfter === 'number' ? err.body.retryAfter : 15 * 60;
    return `Too many wrong PINs. This profile can be opened again in ${waitPhrase(wait)}.`;
  }
  return failureText(err);
}

/**
 * Asks for a profile's 4-digit PIN. `leaving`: this device is kept in that kids profile and the PIN lets
 * it out; otherwise the PIN opens a locked profile. On the right PIN the profile key is kept for the
 * API client, then `onUnlocked` runs.
 */
export function ProfilePinDialog({
  profile,
  leaving,
  onUnlocked,
  onCancel,
}: {
  profile: Pick<ListedProfile, 'profileId' | 'name'>;
  leaving: boolean;
  onUnlocked: () => void;
  onCancel: () => void;
}) {
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await profileLocksApi.unlock(profile.profileId, pin);
      if (answer.profileKey && answer.expiresAt)
        rememberProfileKey(profile.profileId, answer.profileKey, answer.expiresAt);
      onUnlocked();
    } catch (err) {
      setError(pinFailureText(err));
      setPin('');
    } finally {
      setBusy(false);
    }
    // Back in the field for the next try (the click on Open took the focus).
    input.current?.focus();
  };

  return (
    <FormDialog
      title={leaving ? `Leave ${profile.name}` : `${profile.name} is locked`}
      className="pin-dialog"
      error={error}
      onSubmit={(e) => void submit(e)}
      onCancel={onCancel}
      actions={
        <>
          <button className="primary" type="submit" disabled={busy || pin.length !== 4}>
            {busy ? 'Checking…' : leaving ? 'Leave' : 'Open'}
          </button>
          <button type="button" className="ghost" onClick={onCancel}>
            Cancel
          </button>
        </>
      }
    >
      <p className="hint">
        {leaving
          ? `This device is kept in the kids profile ${profile.name}. Type its PIN to choose another profile.`
          : `Type the 4-digit PIN of ${profile.name} to open it.`}
      </p>
      <label>
        PIN
        <PinInput ref={input} autoFocus required value={pin} onChange={setPin} />
      </label>
    </FormDialog>
  );
}
