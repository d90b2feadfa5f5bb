import { Counter, Gauge, type Registry } from 'prom-client';
import type { Upstreams } from './upstreams.js';

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
