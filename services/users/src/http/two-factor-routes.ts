import type { FastifyInstance } from 'fastify';
import { documented, requireIdentity } from '@marquee/core';
import type { TwoFactor } from '../app/two-factor.js';
import { TokenPairSchema } from './schemas.js';
import {
  CodeBody,
  DisableBody,
  EnrolmentSchema,
  MfaLoginBody,
  PasswordBody,
  RecoveryCodesSchema,
  TwoFactorStatusSchema,
} from './two-factor-schemas.js';

/** Two-step sign-in: the login's second step (public) and the account's own enrolment. */
export function twoFactorRoutes(app: FastifyInstance, twoFactor: TwoFactor): void {
  app.post<{ Body: MfaLoginBody }>(
    '/api/auth/login/mfa',
    {
      schema: documented(
        'The second step of a sign-in that answered `mfaRequired`: the mfaToken and a code (or a recovery code, which works once) give the token pair',
        ['auth'],
        { body: MfaLoginBody, response: { 200: TokenPairSchema } },
      ),
    },
    async (req) => twoFactor.completeLogin(req.body.mfaToken, req.body.code),
  );

  app.get(
    '/api/account/two-factor',
    {
      schema: documented(
        'Whether two-step sign-in is on, and how many recovery codes are left',
        ['account'],
        {
          response: { 200: TwoFactorStatusSchema },
        },
      ),
    },
    async (req) => twoFactor.status(requireIdentity(req).accountId),
  );

  app.post<{ Body: PasswordBody }>(
    '/api/account/two-factor/setup',
    {
      schema: documented(
        'Start enrolment (needs the password): a new secret and its QR code; sign-in changes only once it is confirmed',
        ['account'],
        { body: PasswordBody, response: { 200: EnrolmentSchema } },
      ),
    },
    async (req) => twoFactor.startEnrolment(requireIdentity(req).accountId, req.body.password),
  );

  app.post<{ Body: CodeBody }>(
    '/api/account/two-factor/confirm',
    {
      schema: documented(
        'Confirm enrolment with a first code: two-step sign-in is on; answers ten recovery codes, shown once',
        ['account'],
        { body: CodeBody, response: { 200: RecoveryCodesSchema } },
      ),
    },
    async (req) => twoFactor.confirmEnrolment(requireIdentity(req).accountId, req.body.code),
  );

  app.post<{ Body: CodeBody }>(
    '/api/account/two-factor/recovery-codes',
    {
      schema: documented(
        'Ten new recovery codes for a code from the app; the old ones stop working',
        ['account'],
        {
          body: CodeBody,
          response: { 200: RecoveryCodesSchema },
        },
      ),
    },
    async (req) => twoFactor.renewRecoveryCodes(requireIdentity(req).accountId, req.body.code),
  );

  app.post<{ Body: DisableBody }>(
    '/api/account/two-factor/disable',
    {
      schema: documented(
        'Turn two-step sign-in off (needs the password and a code or recovery code)',
        ['account'],
        {
          body: DisableBody,
        },
      ),
    },
    async (req, reply) => {
      await twoFactor.disable(requireIdentity(req).accountId, req.body.password, req.body.code);
      return reply.status(204).send();
    },
  );
}
