import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { sendProblem } from './problems.js';
import type { Upstreams } from './upstreams.js';

/**
 * The gateway's port is public and /metrics shows routes, rates and internals: it answers only a
 * scraper presenting `Authorization: Bearer <METRICS_TOKEN>` (Prometheus: `authorization:
 * credentials_file`), and not at all when no token is configured. Other services' /metrics stay on
 * their internal ports.
 */
export function guardMetrics(app: FastifyInstance, token: string | undefined): void {
  const expected = token ? digest(token) : undefined;
  // A callback hook, not an async one: every request passes here, and an async hook costs each a promise.
  app.addHook('onRequest', (req, reply, done) => {
    if (req.url !== '/metrics' && !req.url.startsWith('/metrics?')) return done();
    if (!expected) {
      return void sendProblem(reply, { code: 'not_found', detail: 'No route for GET /metrics' });
    }
    const given = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (!given || !timingSafeEqual(digest(given), expected)) {
      return void sendProblem(
        reply,
        { code: 'unauthorized', detail: 'Metrics need Authorization: Bearer <METRICS_TOKEN>' },
        { 'www-authenticate': 'Bearer realm="metrics"' },
      );
    }
    done();
  });
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export interface GatewayMetrics {
  rateLimited: Counter<'rule'>;
}

/** Each upstream's adaptive limit, calls in flight and waiting, and shed count, read at scrape time. */
export function gatewayMetrics(registry: Registry, upstreams: Upstreams): GatewayMetrics {
  const each = (read: (u: NonNullable<Upstreams[keyof Upstreams]>) => number) =>
    function (this: Gauge<'upstream'>) {
      for (const u of Object.values(upstreams)) this.set({ upstream: u.name }, read(u));
    };
  new Gauge({
    name: 'gateway_upstream_concurrency_limit',
    help: 'Adaptive concurrency limit of each upstream (Gradient2)',
    labelNames: ['upstream'] as const,
    registers: [registry],
    collect: each((u) => u.limiter.limit),
  });
  new Gauge({
    name: 'gateway_upstream_inflight',
    help: 'Calls in flight to each upstream',
    labelNames: ['upstream'] as const,
    registers: [registry],
    collect: each((u) => u.limiter.inflight),
  });
  new Gauge({
    name: 'gateway_upstream_waiting',
    help: 'Calls waiting in the bounded backlog for a slot at each upstream',
    labelNames: ['upstream'] as const,
    registers: [registry],
    collect: each((u) => u.limiter.waiting),
  });
  new Gauge({
    name: 'gateway_upstream_shed',
    help: 'Requests shed (503) because the upstream was at its concurrency limit, since start',
    labelNames: ['upstream'] as const,
    registers: [registry],
    collect: each((u) => u.shed),
  });
  const rateLimited = new Counter({
    name: 'gateway_rate_limited_total',
    help: 'Requests answered 429, by rule',
    labelNames: ['rule'] as const,
    registers: [registry],
  });
  return { rateLimited };
}
