import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { accountCeiling } from '../app/account-ceiling.js';
import { getAccount } from '../app/accounts.js';
import type { UsersAppContext } from '../app/context.js';
import { viewingHistory } from '../app/history.js';
import { myList } from '../app/library.js';
import { internalProfile } from '../app/profiles.js';
import {
  AccountParams,
  HistoryItemSchema,
  Items,
  LimitQuery,
  ListItemSchema,
  MaturitySchema,
  PlanSchema,
  ProfileParams,
  RoleSchema,
} from './schemas.js';

const InternalProfile = Type.Object({
  profileId: Type.String(),
  accountId: Type.String(),
  name: Type.String(),
  kids: Type.Boolean(),
  maxMaturity: MaturitySchema,
  locked: Type.Boolean(),
  lockedAt: Type.Union([Type.String(), Type.Null()], {
    description: 'when the PIN was set: the gateway checks profile keys against it',
  }),
});
const InternalAccount = Type.Object({
  accountId: Type.String(),
  plan: PlanSchema,
  role: RoleSchema,
  maxMaturity: MaturitySchema,
  emailVerified: Type.Boolean({ description: 'for AUTH_REQUIRE_EMAIL_VERIFICATION (streaming)' }),
});
const Jwks = Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) });

/**
 * Calls from other services (service token required, no viewer identity): streaming checks owners,
 * maturity and plans; the recommender builds home rows; the gateway fetches the JWK Set once and
 * verifies access tokens itself. Reads may go to the replica. Not part of the public OpenAPI document.
 */
export function internalRoutes(app: FastifyInstance, ctx: UsersAppContext): void {
  const config = { openapi: false };
  app.get<{ Params: ProfileParams }>(
    '/internal/profiles/:profileId',
    { config, schema: { params: ProfileParams, response: { 200: InternalProfile } } },
    async (req) => internalProfile(ctx, req.params.profileId),
  );

  app.get<{ Params: AccountParams }>(
    '/internal/accounts/:accountId',
    { config, schema: { params: AccountParams, response: { 200: InternalAccount } } },
    // maxMaturity: the most permissive of the account's profiles, for a catalog browsed without one.
    async (req) => ({
      emailVerified: false,
      ...(await getAccount(ctx, req.params.accountId)),
      maxMaturity: await accountCeiling(ctx, req.params.accountId),
    }),
  );

  app.get<{ Params: ProfileParams; Querystring: LimitQuery }>(
    '/internal/profiles/:profileId/continue-watching',
    {
      config,
      schema: { params: ProfileParams, querystring: LimitQuery, response: { 200: Items(HistoryItemSchema) } },
    },
    async (req) => ({
      items: await viewingHistory(ctx.db.read, undefined, req.params.profileId, {
        unfinishedOnly: true,
        limit: req.query.limit ?? 20,
      }),
    }),
  );

  app.get<{ Params: ProfileParams }>(
    '/internal/profiles/:profileId/list',
    { config, schema: { params: ProfileParams, response: { 200: Items(ListItemSchema) } } },
    async (req) => ({ items: await myList(ctx.db.read, undefined, req.params.profileId) }),
  );

  app.get('/internal/jwks', { config, schema: { response: { 200: Jwks } } }, async (_req, reply) =>
    reply.header('cache-control', 'max-age=60').send(await ctx.keys.jwks()),
  );
}
