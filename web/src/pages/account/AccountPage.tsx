import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { PLAN_NAMES, type Plan } from '@marquee/contracts/plans';
import { saveTokens } from '../../api/client';
import { useDocumentTitle } from '../../app/document-title';
import { navigate, useLocation } from '../../app/router';
import { useSession } from '../../app/session';
import { failureText as message, NoteLine, PasswordField, type FormNote } from '../../components/form-fields';
import { Header } from '../../components/Header';
import { ProfileLocksSection } from './ProfileLocksSection';
import { TwoFactorSection } from './TwoFactorSection';
import { YourDataSection } from './YourDataSection';
import { accountApi, describeDevice, type AccountDetails, type SignedInDevice } from './account-api';

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const planName = (plan: Plan) => plan[0]!.toUpperCase() + plan.slice(1);

/**
 * The account owner's page: address, plan, password, two-step sign-in, profile locks, signed-in
 * devices, sign out everywhere, and "Your data" (export, deletion).
 */
export function AccountPage() {
  useDocumentTitle('Account');
  const session = useSession();
  // An admin sent here to enrol (after-sign-in.ts) sees the two-step section first.
  const twoStepFirst = useLocation().query.get('two-step') === 'required';
  const [account, setAccount] = useState<AccountDetails | null>(null);
  const [devices, setDevices] = useState<SignedInDevice[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const [details, list] = await Promise.all([accountApi.details(), accountApi.devices()]);
      setAccount(details);
      setDevices(list);
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => void reload(), [reload]);

  return (
    <>
      <Header />
      <main className="account-page">
        <h1>Account</h1>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {!account && !error && <p className="loading">Loading…</p>}
        {twoStepFirst && <TwoFactorSection />}
        {account && <EmailSection account={account} />}
        {account && <PlanSection account={account} onChanged={setAccount} />}
        <PasswordSection onChanged={() => void reload()} />
        {!twoStepFirst && <TwoFactorSection />}
        <ProfileLocksSection />
        {devices && <DevicesSection devices={devices} onChanged={() => void reload()} />}
        <section aria-labelledby="everywhere-heading" className="account-section">
          <h2 id="everywhere-heading">Sign out everywhere</h2>
          <p>Ends every session of this account, on every device, this one too.</p>
          <button
            className="secondary"
            onClick={() => {
              void accountApi
                .signOutEverywhere()
                .then(() => {
                  saveTokens(null);
                  session.selectProfile(null);
                  navigate('/login');
                })
                .catch((err: unknown) => setError(message(err)));
            }}
          >
            Sign out everywhere
          </button>
        </section>
        <YourDataSection />
      </main>
    </>
  );
}

function EmailSection({ account }: { account: AccountDetails }) {
  const [note, setNote] = useState<string | null>(null);
  return (
    <section aria-labelledby="email-heading" className="account-section">
      <h2 id="email-heading">Email</h2>
      <p>
        {account.email}{' '}
        {account.emailVerified ? (
          <span className="badge">Verified</span>
        ) : (
          <span className="badge warn">Not verified</span>
        )}
      </p>
      {!account.emailVerified && (
        <button
          className="secondary"
          onClick={() => {
            void accountApi.resendVerification().then(
              () => setNote('We sent you a mail with a link to confirm this address.'),
              (err: unknown) => setNote(message(err)),
            );
          }}
        >
          Send the confirmation mail again
        </button>
      )}
      {note && <p role="status">{note}</p>}
    </section>
  );
}

function PlanSection({
  account,
  onChanged,
}: {
  account: AccountDetails;
  onChanged: (a: AccountDetails) => void;
}) {
  const [plan, setPlan] = useState<Plan>(account.pendingPlan ?? account.plan);
  const [note, setNote] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const answer = await accountApi.changePlan(plan);
      onChanged(answer);
      setNote(answer.detail ?? `Your plan is now ${planName(answer.plan)}.`);
    } catch (err) {
      setNote(message(err));
    }
  };
  return (
    <section aria-labelledby="plan-heading" className="account-section">
      <h2 id="plan-heading">Plan</h2>
      <p>
        Current plan: <strong>{planName(account.plan)}</strong>
        {account.pendingPlan && <> · {planName(account.pendingPlan)} requested, waiting for approval</>}
      </p>
      <form onSubmit={(e) => void submit(e)} className="inline-form">
        <label>
          Change to{' '}
          <select value={plan} onChange={(e) => setPlan(e.target.value as Plan)}>
            {PLAN_NAMES.map((p) => (
              <option key={p} value={p}>
                {planName(p)}
              </option>
            ))}
          </select>
        </label>
        <button className="secondary" type="submit" disabled={plan === account.plan}>
          Change plan
        </button>
      </form>
      {note && <p role="status">{note}</p>}
    </section>
  );
}

function PasswordSection({ onChanged }: { onChanged: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [note, setNote] = useState<FormNote>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const pair = await accountApi.changePassword(current, next);
      // Every other session ended; this one carries on with the new pair.
      saveTokens({
        accessToken: pair.accessToken,
        refreshToken: pair.refreshToken,
        expiresAt: Date.now() + pair.expiresIn * 1000,
      });
      setCurrent('');
      setNext('');
      setNote({ ok: true, text: 'Password changed. Your other devices are signed out.' });
      onChanged();
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    }
  };
  return (
    <section aria-labelledby="password-heading" className="account-section">
      <h2 id="password-heading">Password</h2>
      <form onSubmit={(e) => void submit(e)} className="stacked-form">
        <PasswordField label="Current password" fresh={false} value={current} onChange={setCurrent} />
        <PasswordField label="New password" fresh value={next} onChange={setNext} />
        <button className="secondary" type="submit">
          Change password
        </button>
      </form>
      <NoteLine note={note} />
    </section>
  );
}

function DevicesSection({ devices, onChanged }: { devices: SignedInDevice[]; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-labelledby="devices-heading" className="account-section">
      <h2 id="devices-heading">Signed-in devices</h2>
      <ul className="devices">
        {devices.map((d) => (
          <li key={d.sessionId}>
            <span>
              <strong>{describeDevice(d.userAgent)}</strong>
              {d.current && <span className="badge">This device</span>}
              <br />
              <small>
                Signed in {when(d.createdAt)} · last used {when(d.lastUsedAt)}
              </small>
            </span>
            {!d.current && (
              <button
                className="secondary"
                aria-label={`Sign out ${describeDevice(d.userAgent)}, last used ${when(d.lastUsedAt)}`}
                onClick={() => {
                  void accountApi
                    .signOutDevice(d.sessionId)
                    .then(onChanged, (err: unknown) => setError(message(err)));
                }}
              >
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
