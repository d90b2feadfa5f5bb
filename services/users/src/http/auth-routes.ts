import type { FastifyInstance } from 'fastify';
import { login, signup } from '../app/accounts.js';
import type { UsersAppContext } from '../app/context.js';
import { logout, refreshSession } from '../app/sessions.js';
import { documented, DomainError } from '@marquee/core';
import type { TwoFactor } from '../app/two-factor.js';
import { Type } from '@sinclair/typebox';
import { LoginBody, RefreshBody, SignupBody, TokenPairSchema } from './schemas.js';
import { MfaChallengeSchema } from './two-factor-schemas.js';

const userAgent = (headers: Record<string, unknown>) =>
  typeof headers['user-agent'] === 'string' ? headers['user-agent'] : undefined;

/** Public auth endpoints; the gateway forwards them unchanged (and rate-limits login and sign-up). */
export function authRoutes(
  app: FastifyInstance,
  ctx: UsersAppContext,
  /** Told of each new account (the verification mail); must not throw. */
  onSignup: (accountId: string) => void = () => {},
  /** Two-step sign-in: when the account has it on, the password step answers a challenge instead. */
  twoFactor?: TwoFactor,
  /** AUTH_LOCAL_PASSWORDS=false: sign-up and password sign-in answer 403 (single sign-on only). */
  localPasswords = true,
): void {
  const requireLocalPasswords = () => {
    if (!localPasswords)
      throw new DomainError(
        'auth.local_passwords_disabled',
        'Passwords are turned off here: use the single sign-on button',
      );
  };
  app.post<{ Body: SignupBody }>(
    '/api/auth/signup',
    {
      schema: documented(
        'Create an account with its first profile; answers a token pair. `plan` is a request: the account starts on the operator’s plan, a higher one waits for billing (see GET /api/account pendingPlan)',
        ['auth'],
        {
          body: SignupBody,
          response: { 201: TokenPairSchema },
        },
      ),
    },
    async (req, reply) => {
      requireLocalPasswords();
      const pair = await signup(ctx, req.body, userAgent(req.headers));
      onSignup(pair.accountId);
      return reply.status(201).send(pair);
    },
  );

  app.post<{ Body: LoginBody }>(
    '/api/auth/login',
    {
      schema: documented(
        'Sign in; answers a token pair, or `{mfaRequired: true, mfaToken, expiresIn}` when the account has two-step sign-in on (then POST /api/auth/login/mfa)',
        ['auth'],
        { body: LoginBody, response: { 200: Type.Union([TokenPairSchema, MfaChallengeSchema]) } },
      ),
    },
    async (req) => {
      requireLocalPasswords();
      const ua = userAgent(req.headers);
      return login(
        ctx,
        req.body,
        ua,
        twoFactor && ((accountId) => twoFactor.challengeIfEnabled(accountId, ua)),
      );
    },
  );

  app.post<{ Body: RefreshBody }>(
    '/api/auth/refresh',
    {
      schema: documented(
        'Exchange a refresh token for a new pair; a reused token ends its whole session',
        ['auth'],
        { body: RefreshBody, response: { 200: TokenPairSchema } },
      ),
    },
    async (req) => refreshSession(ctx, req.body.refreshToken),
  );

  app.post<{ Body: RefreshBody }>(
    '/api/auth/logout',
    { schema: documented('End the session of this refresh token', ['auth'], { body: RefreshBody }) },
    async (req, reply) => {
      await logout(ctx, req.body.refreshToken);
      return reply.status(204).send();
    },
  );
}
