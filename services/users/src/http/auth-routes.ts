import type { FastifyInstance } from 'fastify';
import { documented } from './documented.js';
import { login, signup } from '../app/accounts.js';
import type { UsersAppContext } from '../app/context.js';
import { logout, refreshSession } from '../app/sessions.js';
import { LoginBody, RefreshBody, SignupBody, TokenPairSchema } from './schemas.js';

const userAgent = (headers: Record<string, unknown>) =>
  typeof headers['user-agent'] === 'string' ? headers['user-agent'] : undefined;

/** Public auth endpoints; the gateway forwards them unchanged (and rate-limits login and sign-up). */
export function authRoutes(
  app: FastifyInstance,
  ctx: UsersAppContext,
  /** Told of each new account (the verification mail); must not throw. */
  onSignup: (accountId: string) => void = () => {},
): void {
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
      const pair = await signup(ctx, req.body, userAgent(req.headers));
      onSignup(pair.accountId);
      return reply.status(201).send(pair);
    },
  );

  app.post<{ Body: LoginBody }>(
    '/api/auth/login',
    {
      schema: documented('Sign in; answers a token pair', ['auth'], {
        body: LoginBody,
        response: { 200: TokenPairSchema },
      }),
    },
    async (req) => login(ctx, req.body, userAgent(req.headers)),
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
