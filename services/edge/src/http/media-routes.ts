import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '@marquee/core';
import { performance } from 'node:perf_hooks';
import { CORS, type MediaAnswer, type MediaAnswerer, type MediaRequest } from './media-answer.js';

const MEDIA_ROUTE = '/t/*';

/**
 * Fastify's routes for the media path: GET/HEAD answer with `answer` (the same as the fast path, so
 * in-process inject and the real server agree), OPTIONS is the CORS preflight.
 */
export function mediaRoutes(app: FastifyInstance, answer: MediaAnswerer): void {
  const config = { openapi: false };
  app.route({
    method: ['GET', 'HEAD'],
    url: MEDIA_ROUTE,
    logLevel: 'warn',
    config,
    exposeHeadRoute: false,
    handler: async (req, reply) => {
      const { status, headers, body } = await answer(req);
      return reply.status(status).headers(headers).send(body);
    },
  });
  app.options(MEDIA_ROUTE, { logLevel: 'warn', config }, async (_req, reply) =>
    reply
      .status(204)
      .headers(CORS)
      .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
      .header('access-control-allow-headers', 'range, if-none-match, if-range')
      .header('access-control-max-age', '86400')
      .send(),
  );
}

/** A media request answered outside Fastify still counts in the service's request-duration histogram. */
export function observeMediaRequest(
  metrics: ServiceMetrics,
  method: string,
  status: number,
  startedMs: number,
): void {
  metrics.httpDuration.observe(
    { method, route: MEDIA_ROUTE, status: String(status) },
    (performance.now() - startedMs) / 1000,
  );
}

/**
 * The HTTP server's fast path for GET/HEAD of media: answered straight from the request, without
 * Fastify's request and reply objects, hooks and routing. A segment costs one `writev` of its bytes
 * (~160 µs for 1 MiB on loopback here); everything Fastify and the service hooks add per request came
 * to about 30 µs more, a sixth of the edge's throughput against the bare `http` floor in bench/edge.
 * The request is still counted in the service's request-duration histogram. Returns false for
 * anything else, which Fastify then serves (`/metrics`, `/readyz`, OPTIONS, …).
 */
export function mediaFastPath(
  answer: MediaAnswerer,
  metrics: ServiceMetrics,
  closing: () => boolean,
  /** Draining before shutdown (drain.ts): every answer ends its connection. */
  draining: () => boolean = () => false,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const send = (res: ServerResponse, { status, headers, body }: MediaAnswer, started: number) => {
    // HTTP/2 has no Connection header (and Node refuses one): its sessions end with a GOAWAY on close.
    if (draining() && res.req.httpVersionMajor === 1) res.setHeader('connection', 'close');
    res.writeHead(status, headers).end(body);
    observeMediaRequest(metrics, res.req.method ?? 'GET', status, started);
  };
  return (req, res) => {
    const { method, url } = req;
    if ((method !== 'GET' && method !== 'HEAD') || !url?.startsWith('/t/') || closing()) return false;
    const started = performance.now();
    // An IncomingMessage is a MediaRequest (its url checked just above).
    const answered = answer(req as MediaRequest);
    if (!(answered instanceof Promise)) {
      send(res, answered, started);
      return true;
    }
    answered.then(
      (a) => send(res, a, started),
      () => {
        // answer() turns every failure into a problem answer; this is only for the impossible.
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
    return true;
  };
}
