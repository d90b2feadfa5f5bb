import type { FastifyInstance } from 'fastify';
import { documented, requireIdentity } from '@marquee/core';
import { changePassword, getAccount } from '../app/accounts.js';
import { requestPlan } from '../app/plan-changes.js';
import type { UsersAppContext } from '../app/context.js';
import { endAllSessions, endSession, listSessions } from '../app/sessions.js';
import type { AccessTokenVerifier } from '@marquee/core';
import { currentSessionId } from './current-session.js';
import {
  AccountSchema,
  Items,
  PasswordChangeBody,
  PendingPlanSchema,
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
      schema: documented(
        'Ask for another plan. 200: granted (access tokens carry it from the next refresh); 202: pending — the operator or the payment decides, `pendingPlan` and `detail` say so',
        ['account'],
        { body: PlanBody, response: { 200: AccountSchema, 202: PendingPlanSchema } },
      ),
    },
    async (req, reply) => {
      const answer = await requestPlan(ctx, requireIdentity(req).accountId, req.body.plan);
      if (!answer.pending) return answer.account;
      return reply.status(202).send({ ...answer.account, detail: answer.pending });
    },
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

  app.delete(
    '/api/account/sessions',
    {
      schema: documented(
        'Sign out everywhere: every session of the account ends, this one too, and their access tokens stop at once',
        ['account'],
        {},
      ),
    },
    async (req, reply) => {
      await endAllSessions(ctx, requireIdentity(req).accountId);
      return reply.status(204).send();
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
