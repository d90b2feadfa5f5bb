import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { QUIET_ACCESS_LOG } from '@marquee/core';
import type { CatalogAdmin } from '../app/catalog-admin.js';
import { ratingsUpTo, type Catalog } from '../app/catalog.js';
import type { EdgeDirectory } from '../app/edge-directory.js';
import { EdgeHeartbeatBody, Id, MaturitySchema, RegisterAssetBody, TitleParams } from './schemas.js';

const config = { openapi: false };
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const MaturityQuery = Type.Object({ maxMaturity: Type.Optional(MaturitySchema) });
const IdsQuery = Type.Object({
  ids: Type.String({ maxLength: 8192, description: 'comma separated title ids' }),
  maxMaturity: Type.Optional(MaturitySchema),
});
const AssetParams = Type.Object({ assetId: Id });
const LimitQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) });

/**
 * Calls from other services (service token required): storage registers uploads (and abandons deleted
 * ones), the gateway and the
 * recommender read titles and fallback rows, edges report their health and learn their peers.
 */
export function internalRoutes(
  app: FastifyInstance,
  deps: { catalog: Catalog; admin: CatalogAdmin; edges: EdgeDirectory; steeringBaseUrl: string },
): void {
  app.get<{ Params: Static<typeof TitleParams> }>(
    '/internal/titles/:titleId',
    { config, schema: { params: TitleParams } },
    async (req) => deps.catalog.internalTitle(req.params.titleId),
  );

  app.post<{ Params: Static<typeof TitleParams>; Body: Static<typeof RegisterAssetBody> }>(
    '/internal/titles/:titleId/assets',
    { config, schema: { params: TitleParams, body: RegisterAssetBody } },
    async (req, reply) =>
      reply.status(201).send(await deps.admin.registerUpload(req.params.titleId, req.body)),
  );

  app.post<{ Params: Static<typeof AssetParams> }>(
    '/internal/assets/:assetId/abandoned',
    { config, schema: { params: AssetParams } },
    async (req, reply) => {
      await deps.admin.abandonUpload(req.params.assetId);
      return reply.status(204).send();
    },
  );

  app.get<{ Querystring: Static<typeof IdsQuery> }>(
    '/internal/titles',
    { config, schema: { querystring: IdsQuery } },
    async (req) => {
      const ids = req.query.ids.split(',').filter((id) => SAFE_ID.test(id));
      const filter = req.query.maxMaturity ? { maturities: ratingsUpTo(req.query.maxMaturity) } : {};
      return { items: await deps.catalog.summaries(ids.slice(0, 200), filter) };
    },
  );

  app.get<{ Querystring: Static<typeof MaturityQuery> }>(
    '/internal/home-fallback',
    { config, schema: { querystring: MaturityQuery } },
    async (req) => deps.catalog.homeFallback(req.query.maxMaturity),
  );

  app.get<{ Querystring: Static<typeof LimitQuery> }>(
    '/internal/popular-assets',
    { config, schema: { querystring: LimitQuery } },
    async (req) => ({ items: await deps.catalog.popularAssets(req.query.limit ?? 20) }),
  );

  app.post<{ Body: Static<typeof EdgeHeartbeatBody> }>(
    '/internal/edges/heartbeat',
    { config: { ...config, ...QUIET_ACCESS_LOG }, schema: { body: EdgeHeartbeatBody } },
    async (req) => {
      await deps.edges.report({ ...req.body, load: Math.min(1, req.body.load) });
      const live = await deps.edges.live();
      return {
        edges: live.map((e) => ({ edgeId: e.edgeId, url: e.url })),
        steeringBaseUrl: deps.steeringBaseUrl,
      };
    },
  );

  app.delete<{ Params: { edgeId: string } }>(
    '/internal/edges/:edgeId',
    { config, schema: { params: Type.Object({ edgeId: EdgeHeartbeatBody.properties.edgeId }) } },
    async (req, reply) => {
      await deps.edges.leave(req.params.edgeId);
      return reply.status(204).send();
    },
  );
}
