import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '@marquee/core';
import type { NewTitle } from '@marquee/contracts';
import type { CatalogAdmin } from '../app/catalog-admin.js';
import type { EdgeDirectory } from '../app/edge-directory.js';
import { isLive } from '../app/edge-ranking.js';
import {
  AdminTitleSchema,
  CursorQuery,
  documented,
  EdgeListSchema,
  NewEpisodeBody,
  NewTitleBody,
  PageOf,
  SeriesParams,
  TitleIdSchema,
  TitleParams,
} from './schemas.js';

const tags = ['admin'];

/** The operator's catalog API (admin role, checked here; the gateway verified the token). */
export function adminRoutes(app: FastifyInstance, admin: CatalogAdmin, edges: EdgeDirectory): void {
  app.get(
    '/api/admin/edges',
    {
      schema: documented('The edges steering knows, with health, load and how many assets each holds', tags, {
        response: { 200: EdgeListSchema },
      }),
    },
    async (req) => {
      requireAdmin(req);
      const now = Date.now();
      return {
        items: (await edges.all()).map((e) => ({
          edgeId: e.edgeId,
          url: e.url,
          healthy: e.healthy,
          live: isLive(e, now),
          load: e.load,
          heldAssets: e.assets.length,
          lastSeen: new Date(e.lastSeen).toISOString(),
          ...(e.hitRatio ? { hitRatio: e.hitRatio } : {}),
        })),
      };
    },
  );

  app.post<{ Body: NewTitle }>(
    '/api/admin/titles',
    {
      schema: documented('Create a movie or series', tags, {
        body: NewTitleBody,
        response: { 201: TitleIdSchema },
      }),
    },
    async (req, reply) => {
      requireAdmin(req);
      return reply.status(201).send(await admin.createTitle(req.body));
    },
  );

  app.post<{ Params: SeriesParams; Body: NewEpisodeBody }>(
    '/api/admin/titles/:seriesId/episodes',
    {
      schema: documented('Add an episode to a series', tags, {
        params: SeriesParams,
        body: NewEpisodeBody,
        response: { 201: TitleIdSchema },
      }),
    },
    async (req, reply) => {
      requireAdmin(req);
      return reply.status(201).send(await admin.addEpisode(req.params.seriesId, req.body));
    },
  );

  app.get<{ Querystring: CursorQuery }>(
    '/api/admin/titles',
    {
      schema: documented('Every movie and series, newest first, with the state of its newest asset', tags, {
        querystring: CursorQuery,
        response: { 200: PageOf(AdminTitleSchema) },
      }),
    },
    async (req) => {
      requireAdmin(req);
      return admin.adminList(req.query.cursor, req.query.limit ?? 50);
    },
  );

  app.get<{ Params: TitleParams }>(
    '/api/admin/titles/:titleId',
    {
      schema: documented('A title with its asset state (and a series’ episodes)', tags, {
        params: TitleParams,
        response: { 200: AdminTitleSchema },
      }),
    },
    async (req) => {
      requireAdmin(req);
      return admin.adminTitle(req.params.titleId);
    },
  );
}
