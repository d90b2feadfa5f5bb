import { useState } from 'react';
import { ApiError } from '../api/client';
import { useSession } from '../app/session';
import { useLoad } from '../app/use-api';
import { adminApi, type AdminAccount } from './api';

const PLANS: AdminAccount['plan'][] = ['basic', 'standard', 'premium'];

/** Accounts by email: the operator sets role and plan, and disables or enables an account. */
export function UsersPanel() {
  const { account: me } = useSession();
  const [query, setQuery] = useState('');
  const accounts = useLoad(`admin-users:${query}`, (signal) => adminApi.accounts(query, signal));
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const change = async (
    target: AdminAccount,
    changes: Partial<Pick<AdminAccount, 'role' | 'plan' | 'disabled'>>,
    done: string,
  ) => {
    setMessage(null);
    try {
      await adminApi.changeAccount(target.accountId, changes);
      setMessage({ text: done, error: false });
      accounts.reload();
    } catch (err) {
      setMessage({
        text: err instanceof ApiError ? err.message : 'Could not change the account',
        error: true,
      });
    }
  };

  const rows = accounts.data ?? [];
  return (
    <section aria-labelledby="users-h">
      <h2 id="users-h">Users</h2>
      <form
        className="create-title"
        role="search"
        aria-label="Find accounts"
        onSubmit={(e) => e.preventDefault()}
      >
        <label className="wide">
          Email contains
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value.trim())} />
        </label>
      </form>
      {message && (
        <p className={message.error ? 'error' : undefined} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      {accounts.error && (
        <p className="error" role="alert">
          {accounts.error.message}
        </p>
      )}
      <div className="table-scroll">
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Plan</th>
              <th scope="col">Status</th>
              <th scope="col" className="hide-narrow">
                Since
              </th>
            </tr>
          </thead>
          <tbody>
            {!accounts.loading && rows.length === 0 && (
              <tr>
                <td colSpan={5} className="empty">
                  No account matches.
                </td>
              </tr>
            )}
            {rows.map((a) => {
              const self = a.accountId === me?.accountId;
              return (
                <tr key={a.accountId} data-account={a.email}>
                  <td>
                    {a.email}
                    {self && <small> (you)</small>}
                  </td>
                  <td>
                    <select
                      aria-label={`Role of ${a.email}`}
                      value={a.role}
                      disabled={self}
                      onChange={(e) =>
                        void change(
                          a,
                          { role: e.target.value as AdminAccount['role'] },
                          `${a.email} is now ${e.target.value === 'admin' ? 'an admin' : 'a viewer'}.`,
                        )
                      }
                    >
                      <option value="viewer">viewer</option>
                      <option value="admin">admin</option>
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={`Plan of ${a.email}`}
                      value={a.plan}
                      onChange={(e) =>
                        void change(
                          a,
                          { plan: e.target.value as AdminAccount['plan'] },
                          `${a.email} is on the ${e.target.value} plan.`,
                        )
                      }
                    >
                      {PLANS.map((p) => (
                        <option key={p}>{p}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <span className={a.disabled ? 'state failed' : 'state ready'}>
                      {a.disabled ? 'disabled' : 'active'}
                    </span>{' '}
                    {!self && (
                      <button
                        className="secondary small"
                        onClick={() =>
                          void change(
                            a,
                            { disabled: !a.disabled },
                            a.disabled
                              ? `${a.email} can sign in again.`
                              : `${a.email} is disabled and signed out everywhere.`,
                          )
                        }
                      >
                        {a.disabled ? 'Enable' : 'Disable'}
                      </button>
                    )}
                  </td>
                  <td className="hide-narrow">{new Date(a.createdAt).toLocaleDateString()}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
