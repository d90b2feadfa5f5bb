import { ApiError } from '../api/client';

/** What a failed call tells the viewer: the API's own words, or that Marquee could not be reached. */
export const failureText = (err: unknown): string =>
  err instanceof ApiError ? err.message : 'Could not reach Marquee. Check your connection and try again.';

/** A form's outcome line: announced politely when it went well, as an alert when it did not. */
export type FormNote = { ok: boolean; text: string } | null;

export function NoteLine({ note, okClassName }: { note: FormNote; okClassName?: string }) {
  if (!note) return null;
  return (
    <p role={note.ok ? 'status' : 'alert'} className={note.ok ? okClassName : 'error'}>
      {note.text}
    </p>
  );
}

export function EmailField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <label>
      Email
      <input
        type="email"
        autoComplete="email"
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

/**
 * A password input. A new password asks for the 12 characters the users service requires, and tells
 * password managers to offer a fresh one; the current one only has to be there.
 */
export function PasswordField({
  label,
  fresh,
  value,
  onChange,
}: {
  label: string;
  fresh: boolean;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {label}
      <input
        type="password"
        autoComplete={fresh ? 'new-password' : 'current-password'}
        required
        minLength={fresh ? 12 : 1}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
