import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { requireAdmin } from '@marquee/core';
import { TitleChangesBody, type TitleChanges } from '@marquee/contracts';
import { POSTER_MAX_BYTES, POSTER_TYPES, type TitleEditing } from '../app/title-editing.js';
import { documented, TitleParams } from './schemas.js';

const tags = ['admin'];

const PosterSchema = Type.Object({ posterKey: Type.String() });

/** The operator's edits to existing titles (admin role, checked here; the gateway verified the token). */
export function titleEditRoutes(app: FastifyInstance, editing: TitleEditing): void {
  // Posters arrive as the raw image; anything else keeps Fastify's JSON-only parsing.
  app.addContentTypeParser(
    Object.keys(POSTER_TYPES),
    { parseAs: 'buffer', bodyLimit: POSTER_MAX_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.patch<{ Params: TitleParams; Body: TitleChanges }>(
    '/api/admin/titles/:titleId',
    {
      schema: documented(
        'Edit a title’s metadata, or unpublish/publish it (a series’ rating and genres apply to its episodes)',
        tags,
        { params: TitleParams, body: TitleChangesBody, response: { 204: Type.Null() } },
      ),
    },
    async (req, reply) => {
      requireAdmin(req);
      await editing.update(req.params.titleId, req.body);
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: TitleParams }>(
    '/api/admin/titles/:titleId',
    {
      schema: documented(
        'Delete a title (a series with its episodes); storage then deletes its media, sources, subtitles and artwork',
        tags,
        { params: TitleParams, response: { 204: Type.Null() } },
      ),
    },
    async (req, reply) => {
      requireAdmin(req);
      await editing.delete(req.params.titleId);
      return reply.status(204).send();
    },
  );

  app.put<{ Params: TitleParams; Body: Buffer }>(
    '/api/admin/titles/:titleId/poster',
    {
      schema: documented(
        'Replace a title’s poster: the body is a JPEG, PNG or WebP image of at most 1 MiB',
        tags,
        {
          params: TitleParams,
          consumes: Object.keys(POSTER_TYPES),
          response: { 200: PosterSchema },
        } as Record<string, unknown>,
      ),
    },
    async (req) => {
      requireAdmin(req);
      return editing.replacePoster(req.params.titleId, req.headers['content-type'] ?? '', req.body);
    },
  );
}
