import type { FastifyInstance } from 'fastify';
import type { HomeService } from '../app/home-service.js';
import type { ModelStatus } from '../jobs/model-replication.js';
import { isMaturity, profileCeiling } from '@marquee/contracts';
import { HomeSchema, PopularQuery, ProfileParams } from './schemas.js';

/**
 * GET /api/profiles/:profileId/home — the personalised home page (through the gateway, which has
 * already checked that the profile belongs to the caller).
 * GET /internal/popular?maxMaturity=&kids= — popular and genre rows for the gateway's fallback; without
 * a ceiling it answers for the strictest one (G), so a forgotten parameter can never show adult titles.
 * GET /internal/model — the model version this replica serves and whether it is the trainer.
 */
export function registerRoutes(
  app: FastifyInstance,
  home: HomeService,
  modelStatus: () => ModelStatus,
): void {
  app.get('/internal/model', { config: { openapi: false } }, async () => modelStatus());

  app.get<{ Params: ProfileParams }>(
    '/api/profiles/:profileId/home',
    {
      schema: {
        params: ProfileParams,
        response: { 200: HomeSchema },
      },
    },
    // Sent as the cached bytes; the response schema documents it (Fastify does not re-serialise a Buffer).
    async (req, reply) =>
      reply.type('application/json; charset=utf-8').send(await home.homePage(req.params.profileId)),
  );

  app.get<{ Querystring: PopularQuery }>(
    '/internal/popular',
    { config: { openapi: false }, schema: { querystring: PopularQuery, response: { 200: HomeSchema } } },
    async (req) => {
      const maxMaturity = isMaturity(req.query.maxMaturity) ? req.query.maxMaturity : 'G';
      return home.popular(profileCeiling({ kids: req.query.kids === true, maxMaturity }));
    },
  );
}
