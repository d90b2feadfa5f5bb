import { Fragment, useState } from 'react';
import { api } from '../api/client';
import { useLoad } from '../app/use-api';

/** One message as GET /api/admin/mail lists it (users' folder mailer). */
export interface SentMail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  sentAt: string;
}

const mailApi = {
  recent: (signal?: AbortSignal) =>
    api<{ delivery: 'smtp' | 'folder'; items: SentMail[] }>('/api/admin/mail', { signal }),
};

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** http(s) URLs in a plain-text mail, up to the first space or closing bracket. */
const URL_IN_TEXT = /https?:\/\/[^\s<>()"']+/g;

/** The mail's text with its links clickable (React escapes the rest, so a mail cannot inject markup). */
function MailText({ text }: { text: string }) {
  const parts: (string | { href: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    parts.push(text.slice(last, m.index), { href: m[0] });
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return (
    <pre className="mail-text">
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          <Fragment key={i}>{p}</Fragment>
        ) : (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer">
            {p.href}
          </a>
        ),
      )}
    </pre>
  );
}

/**
 * The admin console's mail view: with no SMTP server configured (a laptop), the mail Marquee sends —
 * address verification, password reset — is written to the data directory and read here, so those
 * flows work without a mail server. Newest first; opening one shows its text with clickable links.
 */
export function MailPanel() {
  const mail = useLoad('admin-mail', (signal) => mailApi.recent(signal));
  const [openId, setOpenId] = useState<string | null>(null);
  const items = mail.data?.items ?? [];
  const opened = items.find((m) => m.id === openId);

  return (
    <section aria-labelledby="mail-h">
      <h2 id="mail-h">Mail</h2>
      {mail.data?.delivery === 'smtp' ? (
        <p className="hint">Mail goes out through the SMTP server (SMTP_URL); its copies are kept there.</p>
      ) : (
        <p className="hint">
          No SMTP server is configured (SMTP_URL), so mail is kept in the data directory and shown here.
        </p>
      )}
      {mail.error && (
        <p className="error" role="alert">
          {mail.error.message}
        </p>
      )}
      <button className="secondary" onClick={() => mail.reload()}>
        Refresh
      </button>
      {mail.data && items.length === 0 && <p>No mail yet.</p>}
      {items.length > 0 && (
        <div className="table-scroll">
          <table className="admin-table mail-list">
            <thead>
              <tr>
                <th scope="col">Sent</th>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id}>
                  <td>{when(m.sentAt)}</td>
                  <td>{m.to}</td>
                  <td>
                    <button
                      className="link-button"
                      aria-label={`Open “${m.subject}” to ${m.to}`}
                      onClick={() => setOpenId(m.id === openId ? null : m.id)}
                    >
                      {m.subject}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {opened && (
        <article className="mail-message" aria-labelledby="mail-subject">
          <h3 id="mail-subject">{opened.subject}</h3>
          <p className="hint">
            From {opened.from} to {opened.to} · {when(opened.sentAt)}
          </p>
          <MailText text={opened.text} />
        </article>
      )}
    </section>
  );
}
