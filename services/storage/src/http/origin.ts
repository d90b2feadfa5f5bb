import type { FastifyInstance } from 'fastify';
import { parseRangeHeader, problem, QUIET_ACCESS_LOG } from '@marquee/core';
import type { BlobStore } from '@marquee/platform';

/** Objects under these prefixes never change once written (a new encode gets a new asset id). */
const IMMUTABLE = /^assets\//;

/**
 * The origin: every stored object over HTTP for edges and services (the service token guards it; it is
 * not routed by the gateway). Strong ETag from the SHA-256 recorded at write, byte ranges, long cache
 * headers for immutable media, 304 on a matching If-None-Match.
 */
export function registerOriginRoutes(app: FastifyInstance, blobs: BlobStore): void {
  app.route({
    method: ['GET', 'HEAD'],
    url: '/origin/*',
    exposeHeadRoute: false,
    config: QUIET_ACCESS_LOG,
    handler: async (req, reply) => {
      const key = (req.params as { '*': string })['*'];
      let info;
      try {
        info = await blobs.head(key);
      } catch (err) {
        if ((err as { code?: string }).code === 'blob.invalid_key') {
          return reply
            .status(400)
            .type('application/problem+json')
            .send(problem('validation', (err as Error).message));
        }
        throw err;
      }
      if (!info)
        return reply
          .status(404)
          .type('application/problem+json')
          .send(problem('not_found', `No object ${key}`));
      const etag = `"${info.sha256}"`;
      reply
        .header('etag', etag)
        .header('accept-ranges', 'bytes')
        .header('last-modified', info.lastModified.toUTCString())
        .header('cache-control', IMMUTABLE.test(key) ? 'public, max-age=31536000, immutable' : 'no-cache')
        .type(info.contentType);
      if (req.headers['if-none-match'] === etag) return reply.status(304).send();
      const ifRange = req.headers['if-range'];
      const range = ifRange && ifRange !== etag ? undefined : parseRangeHeader(req.headers.range, info.size);
      if (range === 'unsatisfiable') {
        return reply
          .status(416)
          .header('content-range', `bytes */${info.size}`)
          .type('application/problem+json')
          .send(problem('bad_request', `Range ${req.headers.range} is past the end of ${info.size} bytes`));
      }
      if (req.method === 'HEAD') {
        return reply
          .header('content-length', range ? range.end - range.start + 1 : info.size)
          .status(range ? 206 : 200)
          .send();
      }
      const read = await blobs.get(key, range);
      if (range) {
        reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
      }
      return reply.header('content-length', range ? range.end - range.start + 1 : info.size).send(read.body);
    },
  });
}
