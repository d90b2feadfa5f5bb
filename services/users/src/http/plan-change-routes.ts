import type { FastifyInstance } from 'fastify';
import { documented, requireAdmin } from '@marquee/core';
import type { UsersAppContext } from '../app/context.js';
import { pendingPlanChanges, settlePlanChange } from '../app/plan-changes.js';
import {
  AccountParams,
  AccountSchema,
  Items,
  LimitQuery,
  PlanChangeSchema,
  PlanDecisionBody,
} from './schemas.js';

/**
 * The operator's side of the default billing adapter: plan requests waiting for approval, and the
 * decision on each. A payment provider's adapter confirms through settlePlanChange instead.
 */
export function planChangeRoutes(app: FastifyInstance, ctx: UsersAppContext): void {
  app.get<{ Querystring: LimitQuery }>(
    '/api/admin/plan-changes',
    {
      schema: documented('Plan requests waiting for the operator, oldest first', ['admin'], {
        querystring: LimitQuery,
        response: { 200: Items(PlanChangeSchema) },
      }),
    },
    async (req) => {
      requireAdmin(req);
      return { items: await pendingPlanChanges(ctx, req.query.limit ?? 100) };
    },
  );

  app.post<{ Params: AccountParams; Body: PlanDecisionBody }>(
    '/api/admin/plan-changes/:accountId',
    {
      schema: documented('Approve or decline an account’s pending plan request', ['admin'], {
        params: AccountParams,
        body: PlanDecisionBody,
        response: { 200: AccountSchema },
      }),
    },
    async (req) => {
      requireAdmin(req);
      return settlePlanChange(ctx, req.params.accountId, req.body.approve);
    },
  );
}
