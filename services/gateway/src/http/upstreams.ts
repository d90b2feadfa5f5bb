import {
  SERVICE_TOKEN_HEADER,
  ServiceClient,
  UpstreamError,
  type CallOptions,
  type Logger,
  type ServiceResponse,
  type ServiceStreamResponse,
  type StreamCallOptions,
} from '@marquee/core';
import { ConcurrencyLimiter, Gradient2Limit, type LimiterSlot } from '../app/concurrency-limit.js';
import { UPSTREAMS, type Upstream } from '../app/routing.js';
import type { GatewayConfig } from '../config.js';

/**
 * One upstream service as the gateway sees it: a ServiceClient (load balancing over its instances with
 * health checks and outlier ejection, timeout, jittered retry for idempotent calls, circuit breaker,
 * bulkhead) behind an adaptive concurrency limiter that sheds load before queues build up.
 */
export class UpstreamService {
  readonly limiter: ConcurrencyLimiter;
  shed = 0;

  constructor(
    readonly name: Upstream,
    readonly client: ServiceClient,
    config: Pick<GatewayConfig, 'concurrency'>,
  ) {
    const { backlog, ...limit } = config.concurrency;
    this.limiter = new ConcurrencyLimiter(new Gradient2Limit(limit), undefined, backlog);
  }

  /**
   * Proxies a call with streamed bodies; `sampleLatency: false` for calls whose duration is the client's
   * (uploads); `releases` for calls that free capacity (a playback stop). Those are never shed (they
   * count in flight for nobody: the limiter neither holds them back nor learns from them) and are sent
   * even past an open circuit breaker: a lost stop holds the household's stream slot for the lease's
   * minute, which costs more than one call to an instance that may be failing. A stop to a service that
   * is really down still fails, with the same 503 (a refused connection is seen at once).
   */
  stream(
    method: string,
    path: string,
    call: StreamCallOptions,
    sampleLatency = true,
    releases = false,
  ): Promise<ServiceStreamResponse> {
    if (releases) return this.client.stream(method, path, { ...call, pastBreaker: true });
    return this.limited(() => this.client.stream(method, path, call), sampleLatency);
  }

  /** A buffered JSON call (home rows, ownership lookups). */
  request<T>(method: string, path: string, call: CallOptions = {}): Promise<ServiceResponse<T>> {
    return this.limited(() => this.client.request<T>(method, path, call), true);
  }

  private async limited<R extends { status: number }>(
    call: () => Promise<R>,
    sampleLatency: boolean,
  ): Promise<R> {
    const slot = this.limiter.acquire() ?? (await this.limiter.waitForSlot());
    if (!slot) {
      this.shed++;
      throw new UpstreamError(
        'upstream.overloaded',
        this.name,
        `${this.name} is at its concurrency limit (${this.limiter.limit} in flight); try again shortly`,
      );
    }
    try {
      const res = await call();
      settle(
        slot,
        sampleLatency ? (res.status === 503 || res.status === 504 ? 'dropped' : 'success') : 'ignore',
      );
      return res;
    } catch (err) {
      // A timeout is the upstream being slow: sample it. Refused connections and an open breaker say
      // nothing about latency.
      settle(
        slot,
        sampleLatency && (err as UpstreamError).code === 'upstream.timeout' ? 'dropped' : 'ignore',
      );
      throw err;
    }
  }
}

function settle(slot: LimiterSlot, outcome: 'success' | 'dropped' | 'ignore') {
  slot[outcome]();
}

export type Upstreams = Partial<Record<Upstream, UpstreamService>>;

/** One UpstreamService per service that has instance URLs; the service token goes on every call. */
export function createUpstreams(config: GatewayConfig, serviceToken: string): Upstreams {
  const upstreams: Upstreams = {};
  for (const name of UPSTREAMS) {
    const baseUrls = config.urls[name] ?? [];
    if (baseUrls.length === 0) continue;
    const client = new ServiceClient({
      service: name,
      baseUrls,
      balancing: config.upstream.balancing,
      timeoutMs: config.upstream.timeoutMs,
      retries: config.upstream.retries,
      breakerThreshold: config.upstream.breakerThreshold,
      breakerCooldownMs: config.upstream.breakerCooldownMs,
      headers: { [SERVICE_TOKEN_HEADER]: serviceToken },
    });
    upstreams[name] = new UpstreamService(name, client, config);
  }
  return upstreams;
}

/** The upstream for a route, or a 503 naming the service that is not configured. */
export function upstreamFor(upstreams: Upstreams, name: Upstream): UpstreamService {
  const upstream = upstreams[name];
  if (!upstream)
    throw new UpstreamError('upstream.unavailable', name, `${name} is not configured on this gateway`);
  return upstream;
}

/** Starts health checks on every upstream, logging ejections and re-admissions. */
export function watchUpstreams(upstreams: Upstreams, config: GatewayConfig, logger: Logger): void {
  for (const upstream of Object.values(upstreams)) {
    upstream.client.startHealthChecks(
      { intervalMs: config.upstream.healthCheckIntervalMs },
      (url, healthy) =>
        healthy
          ? logger.info({ upstream: upstream.name, instance: url }, 'instance healthy again: re-admitted')
          : logger.warn(
              { upstream: upstream.name, instance: url },
              'instance failed its health check: ejected',
            ),
    );
  }
}
