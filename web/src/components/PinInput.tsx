import type { Ref } from 'react';

/** A 4-digit PIN field that keeps digits only; a profile's PIN is typed here to open, lock or leave it. */
export function PinInput({
  value,
  onChange,
  autoFocus,
  required,
  ref,
}: {
  value: string;
  onChange: (pin: string) => void;
  autoFocus?: boolean;
  required?: boolean;
  ref?: Ref<HTMLInputElement>;
}) {
  return (
    <input
      ref={ref}
      className="pin-input"
      type="password"
      inputMode="numeric"
      autoComplete="off"
      autoFocus={autoFocus}
      required={required}
      pattern="[0-9]{4}"
      minLength={4}
      maxLength={4}
      value={value}
      onChange={(e) => onChange(e.target.value.replace(/\D/g, ''))}
    />
  );
}
