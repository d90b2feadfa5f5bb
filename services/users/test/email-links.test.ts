import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, startUsers, storeBackends, uniqueEmail, type UsersHarness } from './harness.js';

/**
 * Issue 17 item 1: verification and password reset by mail, through a real SMTP server in this
 * process (smtp-server, from the nodemailer project). The tests follow the links the mail contains.
 */
interface Received {
  to: string[];
  raw: string;
}

let smtp: SMTPServer;
let smtpUrl: string;
const inbox: Received[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** The mail to `to` whose body has a link to `path`, once it arrived; the link's token. */
async function linkFor(to: string, path: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const mail of inbox) {
      if (!mail.to.includes(to)) continue;
      // Undo quoted-printable soft line breaks and the escaped '=' before reading the link.
      const body = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
      const token = new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(body)?.[1];
      if (token) return token;
    }
    if (Date.now() > deadline) throw new Error(`no mail with ${path} reached ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const mailsTo = (to: string) => inbox.filter((m) => m.to.includes(to)).length;

describe.each(await storeBackends())('mail links on $backend', ({ backend, available }) => {
  let users: UsersHarness;
  beforeAll(async () => {
    if (available)
      users = await startUsers(backend, {
        settings: { SMTP_URL: smtpUrl, MARQUEE_PUBLIC_URL: 'https://watch.example.com' },
      });
  });
  afterAll(async () => {
    await users?.close();
  });

  const post = (url: string, payload: object, token?: string) =>
    users.call({ method: 'POST', url, payload, ...(token ? { token } : {}) });

  it.runIf(available)('signup → verification mail → verified; the link works once', async () => {
    const email = uniqueEmail();
    const pair = await users.signup(email);
    expect((await users.call({ url: '/api/account', token: pair.accessToken })).json()).toMatchObject({
      emailVerified: false,
    });
    const token = await linkFor(email, 'https://watch.example.com/verify-email');
    expect((await post('/api/auth/verify-email', { token })).statusCode).toBe(204);
    expect((await users.call({ url: '/api/account', token: pair.accessToken })).json()).toMatchObject({
      emailVerified: true,
    });
    const again = await post('/api/auth/verify-email', { token });
    expect(again.statusCode).toBe(400);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ code: 'auth.link_invalid' });
    // A verified address gets no more verification mail.
    const before = mailsTo(email);
    expect((await post('/api/account/email-verification', {}, pair.accessToken)).statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(email)).toBe(before);
  });

  it.runIf(available)(
    'forgot password → mail → new password → old refresh tokens refused, old password too',
    async () => {
      const email = uniqueEmail();
      const first = await users.signup(email);
      const asked = await post('/api/auth/password-reset/request', { email });
      expect(asked.statusCode).toBe(202);
      const token = await linkFor(email, 'https://watch.example.com/reset-password');

      const weak = await post('/api/auth/password-reset', { token, newPassword: 'password' });
      expect(weak.statusCode).toBe(422);
      expect(weak.json().code).toBe('password.too_weak');
      const newPassword = 'a fresh passphrase for the reset 7';
      // The refused weak password did not spend the link.
      expect((await post('/api/auth/password-reset', { token, newPassword })).statusCode).toBe(204);
      expect((await post('/api/auth/password-reset', { token, newPassword })).json().code).toBe(
        'auth.link_invalid',
      );

      expect((await post('/api/auth/refresh', { refreshToken: first.refreshToken })).statusCode).toBe(401);
      expect((await post('/api/auth/login', { email, password: GOOD_PASSWORD })).statusCode).toBe(401);
      const login = await post('/api/auth/login', { email, password: newPassword });
      expect(login.statusCode).toBe(200);
      // Receiving the reset mail proved the address.
      expect(
        (await users.call({ url: '/api/account', token: login.json().accessToken })).json(),
      ).toMatchObject({ emailVerified: true });
    },
  );

  it.runIf(available)('answers an unknown address exactly like a known one and mails nobody', async () => {
    const known = uniqueEmail();
    await users.signup(known);
    const unknown = uniqueEmail('nobody');
    const a = await post('/api/auth/password-reset/request', { email: known });
    const b = await post('/api/auth/password-reset/request', { email: unknown });
    expect([a.statusCode, a.body]).toEqual([b.statusCode, b.body]);
    await linkFor(known, '/reset-password');
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(unknown)).toBe(0);
  });

  it.runIf(available)('sends at most three reset mails an hour to one account', async () => {
    const email = uniqueEmail();
    await users.signup(email);
    for (let i = 0; i < 5; i++) {
      expect((await post('/api/auth/password-reset/request', { email })).statusCode).toBe(202);
    }
    await new Promise((r) => setTimeout(r, 1_000));
    // One verification mail from sign-up, three reset mails.
    expect(mailsTo(email)).toBe(4);
  });

  it.runIf(available)('refuses made-up and malformed tokens with problems', async () => {
    const made = await post('/api/auth/password-reset', {
      token: 'A'.repeat(43),
      newPassword: 'whatever passphrase 123',
    });
    expect(made.statusCode).toBe(400);
    expect(made.json().code).toBe('auth.link_invalid');
    const malformed = await post('/api/auth/verify-email', { token: '../../etc' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
  });
});

describe.each(await storeBackends())('mail without SMTP on $backend', ({ backend, available }) => {
  let users: UsersHarness | undefined;
  afterEach(async () => {
    await users?.close();
  });

  it.runIf(available)(
    'writes mail to the data directory and shows it in the admin mail view only',
    async () => {
      users = await startUsers(backend, {
        settings: { MARQUEE_ADMIN_EMAIL: 'mail-admin@example.com', MARQUEE_ADMIN_PASSWORD: GOOD_PASSWORD },
      });
      const email = uniqueEmail();
      const viewer = await users.signup(email);
      const admin = await users.call({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'mail-admin@example.com', password: GOOD_PASSWORD },
      });
      let view: { delivery: string; items: { to: string; subject: string; text: string }[] } = {
        delivery: '',
        items: [],
      };
      for (let i = 0; i < 100 && !view.items.some((m) => m.to === email); i++) {
        await new Promise((r) => setTimeout(r, 50));
        view = (await users.call({ url: '/api/admin/mail', token: admin.json().accessToken })).json();
      }
      expect(view.delivery).toBe('folder');
      const mail = view.items.find((m) => m.to === email)!;
      expect(mail.subject).toContain('Confirm your email');
      const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      expect(
        (await users.call({ method: 'POST', url: '/api/auth/verify-email', payload: { token } })).statusCode,
      ).toBe(204);
      const forbidden = await users.call({ url: '/api/admin/mail', token: viewer.accessToken });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.headers['content-type']).toContain('application/problem+json');
    },
  );
});

describe.each(await storeBackends())(
  'password reset with passwords off on $backend',
  ({ backend, available }) => {
    let users: UsersHarness | undefined;
    afterEach(async () => {
      await users?.close();
    });

    // AUTH_LOCAL_PASSWORDS=false: a reset would set a password nothing accepts, so asking for one and
    // using a link are refused alike, with the problem type the sign-in answers (no address is looked at).
    it.runIf(available)(
      'refuses asking for a reset and using one with auth.local_passwords_disabled',
      async () => {
        users = await startUsers(backend, { settings: { AUTH_LOCAL_PASSWORDS: 'false', SMTP_URL: smtpUrl } });
        const calls = [
          { url: '/api/auth/password-reset/request', payload: { email: uniqueEmail() } },
          {
            url: '/api/auth/password-reset',
            payload: { token: 'a'.repeat(43), newPassword: 'a new passphrase 2026' },
          },
        ];
        for (const call of calls) {
          const res = await users.call({ method: 'POST', ...call });
          expect(res.statusCode).toBe(403);
          expect(res.headers['content-type']).toContain('application/problem+json');
          expect(res.json()).toMatchObject({ code: 'auth.local_passwords_disabled' });
        }
      },
    );
  },
);
