import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  DomainError,
  NotFoundError,
  parseRangeHeader,
  problem,
  registerProblem,
  type Logger,
} from '@marquee/core';
import { admitPath, admitToken, MEDIA_REFUSALS, type MediaRefusalCode } from '../app/access.js';
import { blobKeyOf, MASTER_PLAYLIST, parseMediaPath } from '../app/media-path.js';
import { isMediaFile } from '../app/rendition-index.js';
import { buildSessionMaster } from '../app/session-master.js';
import type { VerifiedTokens } from '../app/verified-tokens.js';
import type { AssetPlaylists } from '../cache/asset-playlists.js';
import type { MediaCache } from '../cache/media-cache.js';
import type { EdgeMetrics } from '../edge-metrics.js';
import type { Peer } from '../jobs/steering-reporter.js';
import type { LoadGauge } from '../load-gauge.js';

for (const [code, title] of Object.entries(MEDIA_REFUSALS)) registerProblem(code, 403, title);

export interface MediaRouteDeps {
  tokens: VerifiedTokens;
  /** The cache tiers once loaded (start()); undefined while the edge is starting. */
  tiers: () => { cache: MediaCache; playlists: AssetPlaylists } | undefined;
  metrics: EdgeMetrics;
  load: LoadGauge;
  logger: Logger;
  /** This edge first, then the other live edges. */
  peers: () => Peer[];
  steeringBaseUrl: () => string;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'content-length, content-range, etag, x-cache',
};
/** Media objects never change (a new encode is a new asset): cache them as long as anyone likes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A session's master lists the edges alive when it was asked for: never reuse it. */
const SESSION_MASTER = 'private, no-store';

/** Problems never name the token: the instance is the redacted path. */
const INSTANCE = '/t/[redacted]';

function refuse(reply: FastifyReply, status: number, code: string, detail: string) {
  return reply
    .status(status)
    .headers(CORS)
    .header('cache-control', 'no-store')
    .type('application/problem+json')
    .send({ ...problem(code, detail), status, instance: INSTANCE });
}

function refused(reply: FastifyReply, metrics: EdgeMetrics, code: MediaRefusalCode, detail: string) {
  metrics.refusals.inc({ code });
  return refuse(reply, 403, code, detail);
}

/**
 * The public media path, `/t/<token>/a/<assetId>/<path>`: token checked locally (signature, expiry,
 * asset), rendition height checked against the asset's own playlists, then served from RAM, disk or
 * the origin, with byte ranges, strong ETags and CORS for browser players.
 */
export function mediaRoutes(app: FastifyInstance, deps: MediaRouteDeps): void {
  const { tokens, metrics, logger } = deps;

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const tiers = deps.tiers();
    if (!tiers) return refuse(reply, 503, 'not_ready', 'This edge is starting');
    const { cache, playlists } = tiers;
    const request = parseMediaPath(req.url);
    if (!request) return refuse(reply, 404, 'not_found', 'No such media path');
    const token = admitToken(tokens.verify(request.token), request);
    if (!token.ok) return refused(reply, metrics, token.code, token.detail);
    const payload = token.value;
    deps.load.enter();
    try {
      if (request.path === MASTER_PLAYLIST) {
        const artwork = admitPath(payload, request.path, () => 0);
        if (!artwork.ok) return refused(reply, metrics, artwork.code, artwork.detail);
        const master = buildSessionMaster(await playlists.master(request.assetId), {
          maxHeight: payload.maxHeight,
          pathways: deps.peers().map((p) => ({
            id: p.edgeId,
            assetBase: `${p.url}/t/${request.token}/a/${request.assetId}/`,
          })),
          steeringUri: `${deps.steeringBaseUrl()}/${payload.session}`,
        });
        const body = Buffer.from(master);
        metrics.served.inc({ from: 'ram' });
        metrics.bytesServed.inc(body.length);
        return reply
          .headers(CORS)
          .header('cache-control', SESSION_MASTER)
          .type('application/vnd.apple.mpegurl')
          .header('content-length', body.length)
          .send(req.method === 'HEAD' ? undefined : body);
      }
      // Only audio/video files need the rendition index; images and subtitles are height 0.
      const index = isMediaFile(request.path) ? await playlists.index(request.assetId) : undefined;
      const allowed = admitPath(payload, request.path, (p) => index?.heightOf(p) ?? 0);
      if (!allowed.ok) return refused(reply, metrics, allowed.code, allowed.detail);

      const { object, from } = await cache.get(blobKeyOf(request.assetId, request.path));
      metrics.served.inc({ from });
      reply
        .headers(CORS)
        .header('etag', object.etag)
        .header('accept-ranges', 'bytes')
        .header('cache-control', IMMUTABLE)
        .header('x-cache', from === 'ram' || from === 'disk' ? `HIT-${from.toUpperCase()}` : 'MISS')
        .type(object.contentType);
      if (req.headers['if-none-match'] === object.etag) return reply.status(304).send();
      const size = object.body.length;
      const ifRange = req.headers['if-range'];
      const range =
        ifRange && ifRange !== object.etag ? undefined : parseRangeHeader(req.headers.range, size);
      if (range === 'unsatisfiable') {
        return reply
          .status(416)
          .header('content-range', `bytes */${size}`)
          .type('application/problem+json')
          .send(problem('bad_request', `Range ${req.headers.range} is past the end of ${size} bytes`));
      }
      const body = range ? object.body.subarray(range.start, range.end + 1) : object.body;
      if (range) reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
      reply.header('content-length', body.length);
      if (req.method === 'HEAD') return reply.send();
      metrics.bytesServed.inc(body.length);
      return reply.send(body);
    } catch (err) {
      if (err instanceof NotFoundError) return refuse(reply, 404, 'not_found', 'No such media object');
      if (err instanceof DomainError) return refuse(reply, 502, err.code, err.message);
      logger.error({ err }, 'media request failed');
      return refuse(reply, 500, 'internal', 'The edge failed to serve this object');
    } finally {
      deps.load.leave();
    }
  };

  const config = { openapi: false };
  app.route({
    method: ['GET', 'HEAD'],
    url: '/t/*',
    logLevel: 'warn',
    config,
    exposeHeadRoute: false,
    handler,
  });
  app.options('/t/*', { logLevel: 'warn', config }, async (_req, reply) =>
    reply
      .status(204)
      .headers(CORS)
      .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
      .header('access-control-allow-headers', 'range, if-none-match, if-range')
      .header('access-control-max-age', '86400')
      .send(),
  );
}
