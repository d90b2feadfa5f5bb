import { Pool, errors as undiciErrors } from 'undici';
import {
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
  BrokenCircuitError,
  BulkheadRejectedError,
  type IPolicy,
} from 'cockatiel';
import { CORRELATION_HEADER, currentCorrelationId } from './context.js';
import { UpstreamError } from './errors.js';

export interface ServiceClientOptions {
  /** Upstream service name, used in errors and logs. */
  service: string;
  /** One or more base URLs of instances of the service; requests are spread round-robin. */
  baseUrls: readonly string[];
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

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

class RetryableStatus extends Error {
  constructor(readonly response: ServiceResponse) {
    super(`status ${response.status}`);
  }
}

/**
 * Service-to-service HTTP client: undici pools, per-call timeout, jittered retry only for idempotent
 * calls, a circuit breaker and a bulkhead per upstream (cockatiel), and the correlation id forwarded.
 * 4xx answers are returned, never retried; 502/503/504 and network errors are retried when safe.
 */
export class ServiceClient {
  private readonly pools: Pool[];
  private next = 0;
  private readonly policy: IPolicy;
  private readonly retryPolicy: IPolicy;
  private readonly options: Required<Omit<ServiceClientOptions, 'headers'>> & {
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
    this.pools = options.baseUrls.map(
      (u) => new Pool(u, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 }),
    );
    const failures = handleWhen(
      (e) =>
        e instanceof RetryableStatus ||
        e instanceof undiciErrors.UndiciError ||
        (e as NodeJS.ErrnoException).code === 'ECONNREFUSED' ||
        (e as NodeJS.ErrnoException).code === 'ECONNRESET',
    );
    const breaker = circuitBreaker(failures, {
      halfOpenAfter: this.options.breakerCooldownMs,
      breaker: new ConsecutiveBreaker(this.options.breakerThreshold),
    });
    this.policy = wrap(bulkhead(this.options.maxConcurrent, this.options.maxQueued), breaker);
    this.retryPolicy = retry(failures, {
      maxAttempts: this.options.retries,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
    });
  }

  get service(): string {
    return this.options.service;
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
      throw this.translate(err);
    }
  }

  get<T = unknown>(path: string, call?: CallOptions) {
    return this.request<T>('GET', path, call);
  }

  post<T = unknown>(path: string, body?: unknown, call?: CallOptions) {
    return this.request<T>('POST', path, { ...call, body });
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close()));
  }

  private async once(method: string, path: string, call: CallOptions): Promise<ServiceResponse> {
    const pool = this.pools[this.next++ % this.pools.length]!;
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
    const res = await pool.request({
      method: method as 'GET',
      path,
      headers,
      body,
      query,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
    });
    const text = await res.body.text();
    const type = String(res.headers['content-type'] ?? '');
    const parsed = type.includes('json') && text.length > 0 ? (JSON.parse(text) as unknown) : text;
    const response: ServiceResponse = { status: res.statusCode, headers: res.headers, body: parsed };
    if (res.statusCode === 502 || res.statusCode === 503 || res.statusCode === 504)
      throw new RetryableStatus(response);
    return response;
  }

  private translate(err: unknown): Error {
    const service = this.options.service;
    if (err instanceof BrokenCircuitError) {
      return new UpstreamError(
        'upstream.unavailable',
        service,
        `${service} is failing; its circuit breaker is open`,
      );
    }
    if (err instanceof BulkheadRejectedError) {
      return new UpstreamError('upstream.overloaded', service, `${service} has too many calls in flight`);
    }
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError' || err instanceof undiciErrors.HeadersTimeoutError) {
      return new UpstreamError('upstream.timeout', service, `${service} did not answer in time`);
    }
    return new UpstreamError(
      'upstream.unavailable',
      service,
      `${service} is unreachable: ${(err as Error).message}`,
    );
  }
}
