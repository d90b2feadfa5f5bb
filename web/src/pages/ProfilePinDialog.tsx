import { useRef, useState, type FormEvent } from 'react';
import { ApiError, rememberProfileKey } from '../api/client';
import { profileLocksApi, type ListedProfile } from '../api/endpoints';
import { waitPhrase } from '../api/messages';
import { failureText } from '../components/form-fields';

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
    <div className="dialog-backdrop" role="presentation" onClick={onCancel}>
      <form
        className="dialog pin-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="pin-title"
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => void submit(e)}
      >
        <h2 id="pin-title">{leaving ? `Leave ${profile.name}` : `${profile.name} is locked`}</h2>
        <p className="hint">
          {leaving
            ? `This device is kept in the kids profile ${profile.name}. Type its PIN to choose another profile.`
            : `Type the 4-digit PIN of ${profile.name} to open it.`}
        </p>
        <label>
          PIN
          <input
            ref={input}
            className="pin-input"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            autoFocus
            required
            pattern="[0-9]{4}"
            minLength={4}
            maxLength={4}
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button className="primary" type="submit" disabled={busy || pin.length !== 4}>
            {busy ? 'Checking…' : leaving ? 'Leave' : 'Open'}
          </button>
          <button type="button" className="ghost" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
