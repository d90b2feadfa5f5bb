import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

export interface MenuOption {
  value: number;
  label: string;
}

/**
 * A small popup menu for speed, quality, audio and subtitle choices, in the WAI-ARIA menu-button
 * pattern: the button says what is chosen, the menu opens with the chosen item focused, arrows move,
 * Enter or Space picks, Escape closes and gives focus back to the button.
 */
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
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    const items = Array.from(menu.current?.querySelectorAll<HTMLElement>('[role=menuitemradio]') ?? []);
    (items.find((el) => el.getAttribute('aria-checked') === 'true') ?? items[0])?.focus();
  }, [open]);

  if (options.length <= 1) return null;
  const current = options.find((o) => o.value === value)?.label ?? '—';

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onMenuKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const items = Array.from(menu.current?.querySelectorAll<HTMLElement>('[role=menuitemradio]') ?? []);
    const at = items.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => items[(to + items.length) % items.length]?.focus();
    if (e.key === 'Escape') close();
    else if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(items.length - 1);
    else if (e.key === 'Tab') setOpen(false);
    else return;
    if (e.key !== 'Tab') e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div className="track-menu">
      <button
        ref={button}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
        aria-label={`${label}: ${current}`}
      >
        {/* On a phone the value is dropped (the menu shows it) so the controls keep to two rows. */}
        <span>
          {label}
          <span className="track-value">: {current}</span>
        </span>
      </button>
      {open && (
        <ul role="menu" id={id} aria-label={label} ref={menu} onKeyDown={onMenuKey}>
          {options.map((o) => (
            <li key={o.value} role="none">
              <button
                role="menuitemradio"
                aria-checked={o.value === value}
                tabIndex={-1}
                onClick={() => {
                  onChange(o.value);
                  close();
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
