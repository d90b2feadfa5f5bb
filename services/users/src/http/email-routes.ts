import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { documented, DomainError, requireAdmin, requireIdentity } from '@marquee/core';
import type { EmailLinks } from '../app/email-links.js';
import type { Mailer } from '../mail/mailer.js';

const LinkToken = Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' });
const VerifyBody = Type.Object({ token: LinkToken }, { additionalProperties: false });
const ResetRequestBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }) },
  { additionalProperties: false },
);
const ResetBody = Type.Object(
  { token: LinkToken, newPassword: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
const Accepted = Type.Object({ detail: Type.String() });
const MailSchema = Type.Object({
  id: Type.String(),
  from: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  sentAt: Type.String({ format: 'date-time' }),
});

/**
 * Address verification, password reset by mail, and the admin console's mail view. With passwords
 * off (AUTH_LOCAL_PASSWORDS=false) a reset is refused, asked for or used: the password it would set
 * could not sign in anyway, and the provider is where a forgotten password is reset.
 */
export function emailRoutes(
  app: FastifyInstance,
  links: EmailLinks,
  mailer: Mailer,
  options: { localPasswords: boolean } = { localPasswords: true },
): void {
  const requireLocalPasswords = () => {
    if (!options.localPasswords)
      throw new DomainError(
        'auth.local_passwords_disabled',
        'Passwords are turned off here: reset your password at the single sign-on provider',
      );
  };
  app.post(
    '/api/account/email-verification',
    {
      schema: documented(
        'Send the verification mail again (to the account’s address; at most three an hour)',
        ['account'],
        { response: { 202: Accepted } },
      ),
    },
    async (req, reply) => {
      await links.sendVerification(requireIdentity(req).accountId);
      return reply.status(202).send({ detail: 'If the address is not verified yet, a mail is on its way' });
    },
  );

  app.post<{ Body: Static<typeof VerifyBody> }>(
    '/api/auth/verify-email',
    {
      schema: documented('Confirm the address with the link’s token (single use, 24 hours)', ['auth'], {
        body: VerifyBody,
      }),
    },
    async (req, reply) => {
      await links.verify(req.body.token);
      return reply.status(204).send();
    },
  );

  app.post<{ Body: Static<typeof ResetRequestBody> }>(
    '/api/auth/password-reset/request',
    {
      schema: documented(
        'Forgot password: mails a reset link if the address has an account. The answer is the same either way; 403 auth.local_passwords_disabled when passwords are off',
        ['auth'],
        { body: ResetRequestBody, response: { 202: Accepted } },
      ),
    },
    async (req, reply) => {
      requireLocalPasswords();
      links.requestReset(req.body.email);
      return reply
        .status(202)
        .send({ detail: 'If an account uses this address, a mail with a reset link is on its way' });
    },
  );

  app.post<{ Body: Static<typeof ResetBody> }>(
    '/api/auth/password-reset',
    {
      schema: documented(
        'Set a new password with the reset link’s token (single use, one hour); every session ends; 403 auth.local_passwords_disabled when passwords are off',
        ['auth'],
        { body: ResetBody },
      ),
    },
    async (req, reply) => {
      requireLocalPasswords();
      await links.resetPassword(req.body.token, req.body.newPassword);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/admin/mail',
    {
      schema: documented(
        'Mail Marquee sent, newest first, when no SMTP server is configured (delivery "folder"); with SMTP_URL set the mail server keeps it',
        ['admin'],
        {
          response: {
            200: Type.Object({
              delivery: Type.Union([Type.Literal('smtp'), Type.Literal('folder')]),
              items: Type.Array(MailSchema),
            }),
          },
        },
      ),
    },
    async (req) => {
      requireAdmin(req);
      return { delivery: mailer.delivery, items: await mailer.recent(50) };
    },
  );
}
