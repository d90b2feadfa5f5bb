import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { requireIdentity } from '@marquee/core';
import type { ContentKeyIssuer } from '../app/content-key-issuer.js';
import { documented, Id, SessionParams } from './schemas.js';

const AssetQuery = Type.Object({ asset: Id });

/** A key is for this session, now: never stored by a browser, a proxy or an edge. */
function sendKey(reply: FastifyReply, key: Buffer): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/octet-stream')
    .send(key);
}

/**
 * The content-key endpoints: `GET /api/playback/:sessionId/key?asset=` for a signed-in player (the
 * gateway forwards the identity: another account's session is refused), and the internal one edges
 * forward `/t/<token>/a/<asset>/content.key` to once they have checked the token.
 */
export function contentKeyRoutes(app: FastifyInstance, issuer: ContentKeyIssuer): void {
  app.get<{ Params: SessionParams; Querystring: Static<typeof AssetQuery> }>(
    '/api/playback/:sessionId/key',
    {
      schema: documented(
        'The AES-128 key of the session’s video (16 bytes), for a live session of yours entitled to it',
        ['playback'],
        {
          params: SessionParams,
          querystring: AssetQuery,
          response: {
            200: { description: 'the key', content: { 'application/octet-stream': { schema: {} } } },
          },
        },
      ),
    },
    async (req, reply) =>
      sendKey(
        reply,
        await issuer.issue({
          sessionId: req.params.sessionId,
          assetId: req.query.asset,
          accountId: requireIdentity(req).accountId,
        }),
      ),
  );

  app.get<{ Params: SessionParams; Querystring: Static<typeof AssetQuery> }>(
    '/internal/playback/:sessionId/content-key',
    { config: { openapi: false }, schema: { params: SessionParams, querystring: AssetQuery } },
    async (req, reply) =>
      sendKey(reply, await issuer.issue({ sessionId: req.params.sessionId, assetId: req.query.asset })),
  );
}
