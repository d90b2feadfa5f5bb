import { Counter, Gauge, type Registry } from 'prom-client';
import type { RateLimiter } from './rate-limit.js';

/**
 * Whether this gateway's rate limits run on its local fallback (the shared Redis counters failed: each
 * gateway then enforces every rule alone, so a client gets up to N gateways × its limit), read at
 * scrape time. The MarqueeRateLimitLocalFallback alert (deploy/prometheus) fires on it;
 * docs/operations.md says what it means and what to do.
 */
export function rateLimitMetrics(
  registry: Registry,
  limiter: Pick<RateLimiter, 'degraded' | 'countedLocally'>,
): void {
  new Gauge({
    name: 'gateway_rate_limit_local_fallback',
    help: '1 while rate limits are counted in this gateway alone because the shared counters (Redis) failed',
    registers: [registry],
    collect() {
      this.set(limiter.degraded ? 1 : 0);
    },
  });
  new Counter({
    name: 'gateway_rate_limit_local_total',
    help: 'Requests whose rate limits were counted on the local fallback, since start',
    registers: [registry],
    collect() {
      // The limiter keeps the count; the counter shows it (it only grows).
      this.reset();
      this.inc(limiter.countedLocally);
    },
  });
}
