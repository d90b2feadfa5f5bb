import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { rateLimitMetrics } from './rate-limit-metrics.js';

describe('rate limit fallback metrics', () => {
  it('say whether the limits run on the local fallback and how many requests were counted there', async () => {
    const registry = new Registry();
    const limiter = { degraded: false, countedLocally: 0 };
    rateLimitMetrics(registry, limiter);
    const read = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;
    expect(await read('gateway_rate_limit_local_fallback')).toBe(0);
    expect(await read('gateway_rate_limit_local_total')).toBe(0);

    limiter.degraded = true;
    limiter.countedLocally = 12;
    expect(await read('gateway_rate_limit_local_fallback')).toBe(1);
    expect(await read('gateway_rate_limit_local_total')).toBe(12);
    expect(await registry.metrics()).toContain('gateway_rate_limit_local_total 12');
  });
});
