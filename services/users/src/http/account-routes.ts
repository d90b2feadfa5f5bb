import type { FastifyInstance } from 'fastify';
import { documented } from './documented.js';
import { requireIdentity } from '@marquee/core';
import { changePassword, changePlan, getAccount } from '../app/accounts.js';
import type { UsersAppContext } from '../app/context.js';
import { endSession, listSessions } from '../app/sessions.js';
import type { AccessTokenVerifier } from '@marquee/core';
import { currentSessionId } from './current-session.js';
import {
  AccountSchema,
  Items,
  PasswordChangeBody,
  PlanBody,
  SessionParams,
  SessionSchema,
  TokenPairSchema,
} from './schemas.js';

/** The signed-in viewer's own account: details, plan, password and sessions. */
export function accountRoutes(
  app: FastifyInstance,
  ctx: UsersAppContext,
  verifier: AccessTokenVerifier,
): void {
  app.get(
    '/api/account',
    { schema: documented('The signed-in account', ['account'], { response: { 200: AccountSchema } }) },
    async (req) => getAccount(ctx, requireIdentity(req).accountId),
  );

  app.put<{ Body: PlanBody }>(
    '/api/account/plan',
    {
      schema: documented('Change plan; access tokens carry the new plan from the next refresh', ['account'], {
        body: PlanBody,
        response: { 200: AccountSchema },
      }),
    },
    async (req) => changePlan(ctx, requireIdentity(req).accountId, req.body.plan),
  );

  app.put<{ Body: PasswordChangeBody }>(
    '/api/account/password',
    {
      schema: documented(
        'Change password: every session ends and this caller gets a fresh token pair',
        ['account'],
        { body: PasswordChangeBody, response: { 200: TokenPairSchema } },
      ),
    },
    async (req) => {
      const ua = req.headers['user-agent'];
      return changePassword(
        ctx,
        requireIdentity(req).accountId,
        req.body,
        typeof ua === 'string' ? ua : undefined,
      );
    },
  );

  app.get(
    '/api/account/sessions',
    { schema: documented('Signed-in devices', ['account'], { response: { 200: Items(SessionSchema) } }) },
    async (req) => {
      const { accountId } = requireIdentity(req);
      return { items: await listSessions(ctx, accountId, await currentSessionId(req, verifier)) };
    },
  );

  app.delete<{ Params: SessionParams }>(
    '/api/account/sessions/:sessionId',
    { schema: documented('Sign a device out', ['account'], { params: SessionParams }) },
    async (req, reply) => {
      await endSession(ctx, requireIdentity(req).accountId, req.params.sessionId);
      return reply.status(204).send();
    },
  );
}
