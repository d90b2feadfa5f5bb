import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { documented, requireAdmin } from '@marquee/core';
import { changeAccount, listAccountsForAdmin } from '../app/account-admin.js';
import type { UsersAppContext } from '../app/context.js';
import { AccountParams, PlanSchema, RoleSchema } from './schemas.js';

const AccountAdminSchema = Type.Object({
  accountId: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  plan: PlanSchema,
  disabled: Type.Boolean({ description: 'cannot sign in; its sessions were ended when it was disabled' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const AccountsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 254, description: 'part of the email' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_-]*$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
type AccountsQuery = Static<typeof AccountsQuery>;

const AccountChangesBody = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    plan: Type.Optional(PlanSchema),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
type AccountChangesBody = Static<typeof AccountChangesBody>;

/** The operator's view of accounts (admin role, checked here; the gateway verified the token). */
export function accountAdminRoutes(
  app: FastifyInstance,
  ctx: UsersAppContext,
  /** Ends the access tokens of sessions that were just ended (the revocation set, when there is one). */
  onSessionsEnded: (sessionIds: string[]) => Promise<void> = async () => {},
): void {
  app.get<{ Querystring: AccountsQuery }>(
    '/api/admin/users',
    {
      schema: documented('Accounts by email, with role, plan and whether they are disabled', ['admin'], {
        querystring: AccountsQuery,
        response: {
          200: Type.Object({
            items: Type.Array(AccountAdminSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      }),
    },
    async (req) => {
      requireAdmin(req);
      return listAccountsForAdmin(ctx, { ...req.query, limit: req.query.limit ?? 50 });
    },
  );

  app.patch<{ Params: AccountParams; Body: AccountChangesBody }>(
    '/api/admin/users/:accountId',
    {
      schema: documented(
        'Change an account’s role or plan, or disable it (ends its sessions) and enable it again',
        ['admin'],
        { params: AccountParams, body: AccountChangesBody, response: { 200: AccountAdminSchema } },
      ),
    },
    async (req) => {
      const admin = requireAdmin(req);
      const { account, endedSessions } = await changeAccount(
        ctx,
        admin.accountId,
        req.params.accountId,
        req.body,
      );
      if (endedSessions.length > 0) await onSessionsEnded(endedSessions);
      return account;
    },
  );
}
