import { useId, type FormEvent, type ReactNode } from 'react';

/**
 * A modal form: a click on the backdrop cancels, a click inside does not; the heading names the dialog
 * for assistive technology, and `error` is announced as an alert above the buttons.
 */
export function FormDialog({
  title,
  className,
  error,
  onSubmit,
  onCancel,
  actions,
  children,
}: {
  title: string;
  className?: string;
  error: string | null;
  onSubmit: (e: FormEvent) => void;
  onCancel: () => void;
  /** The buttons, in the dialog's action row. */
  actions: ReactNode;
  children: ReactNode;
}) {
  const titleId = useId();
  return (
    <div className="dialog-backdrop" role="presentation" onClick={onCancel}>
      <form
        className={className ? `dialog ${className}` : 'dialog'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onClick={(e) => e.stopPropagation()}
        onSubmit={onSubmit}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">{actions}</div>
      </form>
    </div>
  );
}
