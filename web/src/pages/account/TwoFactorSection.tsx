import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, refreshNow } from '../../api/client';
import { useSession } from '../../app/session';
import { failureText as message, NoteLine, PasswordField, type FormNote } from '../../components/form-fields';

interface TwoFactorStatus {
  enabled: boolean;
  pending: boolean;
  recoveryCodesLeft: number;
  required: boolean;
}
interface Enrolment {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

const twoFactorApi = {
  status: () => api<TwoFactorStatus>('/api/account/two-factor'),
  setup: (password: string) =>
    api<Enrolment>('/api/account/two-factor/setup', { method: 'POST', body: { password } }),
  confirm: (code: string) =>
    api<{ recoveryCodes: string[] }>('/api/account/two-factor/confirm', { method: 'POST', body: { code } }),
  disable: (password: string, code: string) =>
    api<void>('/api/account/two-factor/disable', { method: 'POST', body: { password, code } }),
};

/** The secret in groups of four, easier to type into an app that cannot scan. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/**
 * Two-step sign-in on the account page: turn it on (password, scan the QR code, type the first code,
 * keep the ten recovery codes) or off (password and a code).
 */
export function TwoFactorSection() {
  const session = useSession();
  const [status, setStatus] = useState<TwoFactorStatus | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [note, setNote] = useState<FormNote>(null);

  const reload = useCallback(async () => {
    try {
      setStatus(await twoFactorApi.status());
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    }
  }, []);
  useEffect(() => void reload(), [reload]);

  const act = (run: () => Promise<void>) => async (e: FormEvent) => {
    e.preventDefault();
    setNote(null);
    try {
      await run();
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    }
  };
  const start = act(async () => {
    setEnrolment(await twoFactorApi.setup(password));
    setPassword('');
  });
  const confirm = act(async () => {
    const answer = await twoFactorApi.confirm(code.trim());
    setRecoveryCodes(answer.recoveryCodes);
    setEnrolment(null);
    setCode('');
    // An admin held to viewer tokens until now: the next token carries the admin role, so take it now.
    if (status?.required) {
      await refreshNow();
      await session.reloadAccount();
    }
    await reload();
  });
  const disable = act(async () => {
    await twoFactorApi.disable(password, code.trim());
    setPassword('');
    setCode('');
    setRecoveryCodes(null);
    setNote({ ok: true, text: 'Two-step sign-in is off.' });
    await reload();
  });

  const codeField = (label: string) => (
    <label>
      {label}
      <input
        autoComplete="one-time-code"
        required
        minLength={6}
        maxLength={32}
        spellCheck={false}
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
    </label>
  );

  return (
    <section aria-labelledby="two-factor-heading" className="account-section">
      <h2 id="two-factor-heading">Two-step sign-in</h2>
      {status?.required && !status.enabled && (
        <p className="error" role="alert">
          This Marquee requires two-step sign-in for admin accounts. Until you turn it on you are signed in as
          a viewer: the admin console stays closed.
        </p>
      )}
      {status && (
        <p>
          {status.enabled ? (
            <>
              Two-step sign-in is <strong>on</strong> · {status.recoveryCodesLeft} recovery codes left
            </>
          ) : (
            <>
              Off. Signing in will also ask for a code from an authenticator app on your phone.
              {status.required && <span className="badge warn">Required for admins</span>}
            </>
          )}
        </p>
      )}
      {recoveryCodes && (
        <div role="status" aria-labelledby="recovery-heading" className="recovery-codes">
          <h3 id="recovery-heading">Two-step sign-in is on. Save your recovery codes</h3>
          <p>Each works once, if you lose your phone. They are not shown again.</p>
          <ul aria-label="Recovery codes">
            {recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {status && !status.enabled && !enrolment && (
        <form onSubmit={(e) => void start(e)} className="stacked-form">
          <PasswordField
            label="Password to turn it on"
            fresh={false}
            value={password}
            onChange={setPassword}
          />
          <button className="secondary" type="submit">
            Set up two-step sign-in
          </button>
        </form>
      )}
      {enrolment && (
        <form onSubmit={(e) => void confirm(e)} className="stacked-form">
          <p>Scan this code with your authenticator app, then type the code it shows.</p>
          <img
            src={enrolment.qrCode}
            alt="QR code to scan with an authenticator app"
            width={200}
            height={200}
            className="qr-code"
          />
          <p>
            Cannot scan? Type this key: <code aria-label="Secret key">{grouped(enrolment.secret)}</code>
          </p>
          {codeField('Code from the app')}
          <button className="secondary" type="submit">
            Turn on
          </button>
        </form>
      )}
      {status?.enabled && (
        <form onSubmit={(e) => void disable(e)} className="stacked-form">
          <PasswordField
            label="Password to turn it off"
            fresh={false}
            value={password}
            onChange={setPassword}
          />
          {codeField('Code or recovery code')}
          <button className="secondary" type="submit">
            Turn off two-step sign-in
          </button>
        </form>
      )}
      <NoteLine note={note} />
    </section>
  );
}
