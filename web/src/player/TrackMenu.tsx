import { useState } from 'react';

export interface MenuOption {
  value: number;
  label: string;
}

/** A small popup menu for quality, audio and subtitle choices, operable by keyboard. */
export function TrackMenu({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: MenuOption[];
  value: number;
  onChange: (v: number) => void;
}) {
  const [open, setOpen] = useState(false);
  if (options.length <= 1) return null;
  return (
    <div className="track-menu">
      <button
        aria-haspopup="listbox"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        aria-label={label}
      >
        {label}: {options.find((o) => o.value === value)?.label ?? '—'}
      </button>
      {open && (
        <ul role="listbox" aria-label={label}>
          {options.map((o) => (
            <li key={o.value} role="option" aria-selected={o.value === value}>
              <button
                onClick={() => {
                  onChange(o.value);
                  setOpen(false);
                }}
              >
                {o.value === value ? '✓ ' : ''}
                {o.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
