import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import {
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { CORRELATION_HEADER, currentCorrelationId } from './context.js';
import { Deadline } from './deadline.js';
import {
  instanceDownReason,
  isRetryableStatus,
  isUpstreamFailure,
  RetryableStatus,
  toUpstreamError,
} from './upstream-failures.js';
import { LoadBalancer, type BalancingStrategy, type InstanceState } from './load-balancer.js';
import { httpProbe, startHealthChecks, type HealthCheckOptions } from './health-checks.js';

export interface ServiceClientOptions {
  /** Upstream service name, used in errors and logs. */
  service: string;
  /** One or more base URLs of instances of the service; calls are load-balanced over them. */
  baseUrls: readonly string[];
  /** `least-outstanding` (default) or `round-robin`; see LoadBalancer. */
  balancing?: BalancingStrategy;
  /** How long an instance that refused a connection is left out (health checks re-admit it sooner). */
  ejectionMs?: number;
  timeoutMs?: number;
  /** Retries for idempotent requests (GET/HEAD/PUT/DELETE, or `idempotent: true`). */
  retries?: number;
  /** Consecutive failures that open the breaker, and how long it stays open. */
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  /** At most this many concurrent calls, and this many queued, before failing fast. */
  maxConcurrent?: number;
  maxQueued?: number;
  /** Headers added to every call (e.g. the internal service secret). */
  headers?: Record<string, string>;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  idempotent?: boolean;
  timeoutMs?: number;
}

export interface ServiceResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** A call whose bodies are streamed both ways (the gateway's proxy). */
export interface StreamCallOptions {
  headers?: Record<string, string | string[]>;
  /** A Buffer can be retried when the call is idempotent; a stream never is (it is consumed). */
  body?: Buffer | string | Readable | null;
  idempotent?: boolean;
  /** Time allowed for the answer to start (precise unless the body is a stream), and between body chunks. */
  timeoutMs?: number;
  /** Aborts the call, e.g. when the caller's own client went away. */
  signal?: AbortSignal;
}

export interface ServiceStreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Must be consumed or destroyed by the caller. */
  body: Readable;
  /** Base URL of the instance that answered. */
  instance: string;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * Service-to-service HTTP client: undici pools, per-call timeout, jittered retry only for idempotent
 * calls, a circuit breaker and a bulkhead per upstream (cockatiel), and the correlation id forwarded.
 * 4xx answers are returned, never retried; 502/503/504 and network errors are retried when safe.
 */
export class ServiceClient {
  private readonly pools = new Map<string, Pool>();
  private readonly balancer: LoadBalancer;
  private readonly breaker: CircuitBreakerPolicy;
  private stopHealthChecks: (() => Promise<void>) | undefined;
  private readonly policy: IPolicy;
  private readonly retryPolicy: IPolicy;
  private readonly options: Required<Omit<ServiceClientOptions, 'headers' | 'balancing' | 'ejectionMs'>> & {
    headers: Record<string, string>;
  };

  constructor(options: ServiceClientOptions) {
    if (options.baseUrls.length === 0) throw new Error(`no URL configured for service ${options.service}`);
    this.options = {
      timeoutMs: 5_000,
      retries: 2,
      breakerThreshold: 5,
      breakerCooldownMs: 5_000,
      maxConcurrent: 256,
      maxQueued: 1024,
      headers: {},
      ...options,
    };
    this.balancer = new LoadBalancer(options.baseUrls, {
      strategy: options.balancing,
      ejectionMs: options.ejectionMs,
    });
    for (const u of this.balancer.urls) {
      this.pools.set(u, new Pool(u, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 }));
    }
    const failures = handleWhen(isUpstreamFailure);
    this.breaker = circuitBreaker(failures, {
      halfOpenAfter: this.options.breakerCooldownMs,
      breaker: new ConsecutiveBreaker(this.options.breakerThreshold),
    });
    this.policy = wrap(bulkhead(this.options.maxConcurrent, this.options.maxQueued), this.breaker);
    this.retryPolicy = retry(failures, {
      maxAttempts: this.options.retries,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
    });
  }

  get service(): string {
    return this.options.service;
  }

  /** `closed`, `open`, `half-open` or `isolated`: for readiness and the admin console. */
  get circuit(): string {
    return ['closed', 'open', 'half-open', 'isolated'][this.breaker.state as number] ?? 'unknown';
  }

  /** Each instance with its calls in flight and whether it is ejected. */
  instances(): InstanceState[] {
    return this.balancer.snapshot();
  }

  /**
   * Probes every instance in the background (GET `path`, default /healthz, with the client's headers)
   * and keeps failing ones out of the rotation until they recover. Stopped by close().
   */
  startHealthChecks(
    options: HealthCheckOptions = {},
    onChange?: (url: string, healthy: boolean) => void,
  ): void {
    if (this.stopHealthChecks) return;
    const probe = httpProbe((url) => this.pools.get(url)!, options, this.options.headers);
    this.stopHealthChecks = startHealthChecks(this.balancer, probe, options, onChange);
  }

  /**
   * Like request(), but the bodies are streamed and the answer is returned as it comes (any status),
   * for proxying. Retried only when idempotent and the body is not a stream; a 502/503/504 answer that
   * was retried is drained, the last one is returned.
   */
  async stream(method: string, path: string, call: StreamCallOptions = {}): Promise<ServiceStreamResponse> {
    const replayable = call.body == null || typeof call.body === 'string' || Buffer.isBuffer(call.body);
    const idempotent = (call.idempotent ?? IDEMPOTENT.has(method)) && replayable;
    let previous: ServiceStreamResponse | undefined;
    const attempt = () =>
      this.policy.execute(async () => {
        previous?.body.resume(); // drain the answer we are about to retry, keeping the connection
        previous = await this.streamOnce(method, path, call);
        if (isRetryableStatus(previous.status)) throw new RetryableStatus(previous);
        return previous;
      });
    try {
      return idempotent ? await this.retryPolicy.execute(attempt) : await attempt();
    } catch (err) {
      if (err instanceof RetryableStatus) return err.response as ServiceStreamResponse;
      throw toUpstreamError(this.options.service, err);
    }
  }

  async request<T = unknown>(
    method: string,
    path: string,
    call: CallOptions = {},
  ): Promise<ServiceResponse<T>> {
    const idempotent = call.idempotent ?? IDEMPOTENT.has(method);
    const attempt = () => this.policy.execute(() => this.once(method, path, call));
    try {
      const res = idempotent ? await this.retryPolicy.execute(attempt) : await attempt();
      return res as ServiceResponse<T>;
    } catch (err) {
      if (err instanceof RetryableStatus) return err.response as ServiceResponse<T>;
      throw toUpstreamError(this.options.service, err);
    }
  }

  get<T = unknown>(path: string, call?: CallOptions) {
    return this.request<T>('GET', path, call);
  }

  post<T = unknown>(path: string, body?: unknown, call?: CallOptions) {
    return this.request<T>('POST', path, { ...call, body });
  }

  async close(): Promise<void> {
    await this.stopHealthChecks?.();
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }

  /** Runs one call on the instance the balancer picks, counting it in flight and ejecting a dead one. */
  private async onInstance<T>(run: (pool: Pool, url: string) => Promise<T>): Promise<T> {
    const url = this.balancer.begin();
    try {
      return await run(this.pools.get(url)!, url);
    } catch (err) {
      const down = instanceDownReason(err);
      if (down) this.balancer.eject(url, down);
      throw err;
    } finally {
      this.balancer.end(url);
    }
  }

  private async streamOnce(
    method: string,
    path: string,
    call: StreamCallOptions,
  ): Promise<ServiceStreamResponse> {
    const headers: Record<string, string | string[]> = { ...this.options.headers, ...call.headers };
    const correlationId = currentCorrelationId();
    if (correlationId && !headers[CORRELATION_HEADER]) headers[CORRELATION_HEADER] = correlationId;
    const timeout = call.timeoutMs ?? this.options.timeoutMs;
    return this.onInstance(async (pool, instance) => {
      // A precise deadline for the answer to start, unless the body is a stream: an upload takes as long
      // as the client needs (undici's own header and body timers, refreshed as data moves, bound it).
      const streamed = call.body != null && typeof call.body === 'object' && !Buffer.isBuffer(call.body);
      const deadline = streamed ? undefined : new Deadline(timeout).link(call.signal);
      let res;
      try {
        res = await pool.request({
          method: method as 'GET',
          path,
          headers,
          body: call.body ?? null,
          headersTimeout: timeout,
          bodyTimeout: timeout,
          signal: deadline ?? call.signal ?? null,
        });
      } finally {
        deadline?.clear();
      }
      return { status: res.statusCode, headers: res.headers, body: res.body, instance };
    });
  }

  private async once(method: string, path: string, call: CallOptions): Promise<ServiceResponse> {
    const headers: Record<string, string> = { ...this.options.headers, ...call.headers };
    const correlationId = currentCorrelationId();
    if (correlationId) headers[CORRELATION_HEADER] = correlationId;
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] = 'application/json';
    }
    const query = call.query
      ? Object.fromEntries(
          Object.entries(call.query).filter((e): e is [string, string | number] => e[1] !== undefined),
        )
      : undefined;
    const timeout = call.timeoutMs ?? this.options.timeoutMs;
    const { res, text } = await this.onInstance(async (pool) => {
      const deadline = new Deadline(timeout); // covers the whole answer, body included
      try {
        const res = await pool.request({
          method: method as 'GET',
          path,
          headers,
          body,
          query,
          headersTimeout: timeout,
          bodyTimeout: timeout,
          signal: deadline,
        });
        return { res, text: await res.body.text() };
      } finally {
        deadline.clear();
      }
    });
    const type = String(res.headers['content-type'] ?? '');
    const parsed = type.includes('json') && text.length > 0 ? (JSON.parse(text) as unknown) : text;
    const response: ServiceResponse = { status: res.statusCode, headers: res.headers, body: parsed };
    if (isRetryableStatus(res.statusCode)) throw new RetryableStatus(response);
    return response;
  }
}
