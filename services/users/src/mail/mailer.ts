import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

/** One message Marquee sends: plain text only (links a mail client makes clickable). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** A message as the admin console's mail view shows it. */
export interface StoredMail extends MailMessage {
  id: string;
  from: string;
  sentAt: string;
}

/**
 * Where Marquee's mail goes: an SMTP server (SMTP_URL), or, on a laptop with none, a folder in the
 * data directory that the admin console shows, so verification and reset still work.
 *
 * @example
 *   const mailer = openMailer({ smtpUrl: settings.SMTP_URL, from: settings.MAIL_FROM, folder });
 *   await mailer.send({ to, subject: 'Reset your password', text });
 */
export interface Mailer {
  readonly delivery: 'smtp' | 'folder';
  send(message: MailMessage): Promise<void>;
  /** The newest messages first; the folder adapter only (SMTP keeps no copy). */
  recent(limit: number): Promise<StoredMail[]>;
  close(): void;
}

export function openMailer(options: { smtpUrl?: string; from: string; folder: string }): Mailer {
  return options.smtpUrl
    ? smtpMailer(options.smtpUrl, options.from)
    : folderMailer(options.folder, options.from);
}

function smtpMailer(url: string, from: string): Mailer {
  // Pooled: a burst of sign-ups reuses a few connections instead of one handshake per mail.
  const transport = nodemailer.createTransport(url, { from });
  return {
    delivery: 'smtp',
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    async recent() {
      return [];
    },
    close() {
      transport.close();
    },
  };
}

/**
 * One JSON file per message, written under a temporary name and renamed, so the mail view never reads
 * half a message. Names start with the send time, so a directory listing sorts them.
 */
function folderMailer(folder: string, from: string): Mailer {
  return {
    delivery: 'folder',
    async send(message) {
      await mkdir(folder, { recursive: true });
      const sentAt = new Date().toISOString();
      const id = `${sentAt.replace(/[:.]/g, '-')}-${randomUUID()}`;
      const mail: StoredMail = { id, from, sentAt, ...message };
      const path = join(folder, `${id}.json`);
      await writeFile(`${path}.tmp`, JSON.stringify(mail, null, 2));
      await rename(`${path}.tmp`, path);
    },
    async recent(limit) {
      const names = await readdir(folder).catch(() => [] as string[]);
      const newest = names
        .filter((n) => n.endsWith('.json'))
        .sort()
        .reverse()
        .slice(0, limit);
      return Promise.all(
        newest.map(async (n) => JSON.parse(await readFile(join(folder, n), 'utf8')) as StoredMail),
      );
    },
    close() {},
  };
}
