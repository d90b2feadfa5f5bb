import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { BrokenCircuitError, ExponentialBackoff, handleWhen, retry, type IPolicy } from 'cockatiel';
import { CallSlots, DeadlineQueue } from './call-fast-path.js';
import { hasIdempotencyKey, isClosingAnswer } from './closing-replica.js';
import { CORRELATION_HEADER, currentCorrelationId } from './context.js';
import { Deadline } from './deadline.js';
import {
  instanceDownReason,
  isRetryableStatus,
  isTimeout,
  isUpstreamFailure,
  RetryableStatus,
  toUpstreamError,
} from './upstream-failures.js';
import { LoadBalancer, type BalancingStrategy, type InstanceState } from './load-balancer.js';
import { httpProbe, startHealthChecks, type HealthCheckOptions } from './health-checks.js';
import { InstanceBreakers, type CircuitSummary } from './instance-breakers.js';

export interface ServiceClientOptions {
  /** Upstream service name, used in errors and logs. */
  service: string;
  /** One or more base URLs of instances of the service; calls are load-balanced over them. */
  baseUrls: readonly string[];
  /** `least-outstanding` (default) or `round-robin`; see LoadBalancer. */
  balancing?: BalancingStrategy;
  /** How long an instance that refused a connection is left out (health checks re-admit it sooner). */
  ejectionMs?: number;
  /** How long an instance with calls in flight may answer nothing before it is ejected as stalled (LoadBalancer). */
  stallMs?: number;
  timeoutMs?: number;
  /**
   * Retries for idempotent requests (GET/HEAD/PUT/DELETE/OPTIONS, one with an `Idempotency-Key` header,
   * or `idempotent: true`); each goes to an instance the call has not failed on yet, when there is one.
   */
  retries?: number;
  /** Consecutive failures of one instance that open its breaker, and how long it stays open. */
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  /** At most this many concurrent calls, and this many queued, before failing fast. */
  maxConcurrent?: number;
  maxQueued?: number;
  /** Headers added to every call (e.g. the internal service secret). */
  headers?: Record<string, string>;
  /** Keep-alive connections per instance (default 64). */
  connections?: number;
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
  /**
   * Time allowed for the answer to start, waiting for a connection included, and between body chunks. With
   * a streamed body the precise clock runs until the upstream starts reading it; the upload then takes as
   * long as the client needs.
   */
  timeoutMs?: number;
  /** Aborts the call, e.g. when the caller's own client went away. */
  signal?: AbortSignal;
  /**
   * Instances (base URLs) to leave out while another can take the call: a caller's own next attempt
   * after an answer it could not use — the edge's origin fill after a body cut short or failing its ETag.
   */
  avoid?: ReadonlySet<string>;
  /**
   * Sent even to an instance whose circuit breaker is open (its outcome is then not counted): for a
   * call whose loss costs more than one more call to a failing instance — the gateway's playback stop,
   * which frees a stream slot. A dead instance still fails it at once (a refused connection).
   */
  pastBreaker?: boolean;
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
 * Request headers never sent upstream by this client: undici refuses `expect` ("expect header not
 * supported") and, doing so, once left pooled connections busy for good (issue 20). An expectation is
 * about one hop; whoever received it from a client answers it.
 */
function withoutExpect<H extends Record<string, string | string[]>>(headers: H): H {
  if ('expect' in headers) delete headers.expect;
  if ('Expect' in headers) delete headers.Expect;
  return headers;
}

/** An answer that came after its deadline: nobody reads it, so let go of its connection. */
const discardLate = (late: Dispatcher.ResponseData) => late.body.destroy();

/**
 * A failed attempt that provably did nothing upstream: the connection never opened, or a shutting-down
 * replica refused the request before routing it (closing-replica.ts). Any replayable call may be sent
 * again, to another instance.
 */
function unprocessed(err: unknown): boolean {
  if (instanceDownReason(err) !== undefined) return true;
  if (!(err instanceof RetryableStatus)) return false;
  const answer = err.response as ServiceResponse;
  return isClosingAnswer(answer.status, answer.headers);
}

/** The instances one call's earlier attempts failed on: its next attempt goes elsewhere if it can. */
interface Attempts {
  failedOn?: Set<string>;
}

/** How long a retired pool's requests in flight (an upload through it, say) may still run before it is destroyed. */
const RETIRED_POOL_GRACE_MS = 5 * 60_000;

/**
 * Service-to-service HTTP client: undici pools, per-call timeout, jittered retry only for idempotent
 * calls, a circuit breaker per instance and a bulkhead per upstream (cockatiel), and the correlation id
 * forwarded. The breaker is the instance's, not the service's: one failing replica opens its own and
 * is left out while its siblings keep taking the calls (found by the chaos experiments).
 * 4xx answers are returned, never retried; 502/503/504 and network errors are retried when safe, and
 * any replayable call is sent again when nothing was done (a refused connection, a closing replica's 503).
 */
export class ServiceClient {
  private readonly pools = new Map<string, Pool>();
  /** When each instance's pool last saw an answer start: a pool that times out with none for a whole timeout is stalled. */
  private readonly lastAnswerAt = new Map<string, number>();
  /** Pools replaced because they stalled: for metrics and tests. */
  poolsRebuilt = 0;
  private readonly balancer: LoadBalancer;
  private readonly breakers: InstanceBreakers;
  private stopHealthChecks: (() => Promise<void>) | undefined;
  /** The bulkhead: a free slot is taken synchronously (call-fast-path.ts). */
  private readonly slots: CallSlots;
  /** Every call's deadline under one timer, for calls without a caller's signal or a streamed body. */
  private readonly deadlines = new DeadlineQueue();
  private readonly retryPolicy: IPolicy;
  private readonly unsentRetryPolicy: IPolicy;
  private readonly newPool: (url: string) => Pool;
  private readonly options: Required<
    Omit<ServiceClientOptions, 'headers' | 'balancing' | 'ejectionMs' | 'stallMs' | 'connections'>
  > & {
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
      stallMs: options.stallMs,
    });
    const connections = options.connections ?? 64;
    this.newPool = (u) => new Pool(u, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
    for (const u of this.balancer.urls) this.pools.set(u, this.newPool(u));
    const failures = handleWhen(isUpstreamFailure);
    this.breakers = new InstanceBreakers(this.balancer.urls, {
      threshold: this.options.breakerThreshold,
      cooldownMs: this.options.breakerCooldownMs,
      // An open breaker takes its instance out of the rotation for the cooldown; then one trial call.
      opened: (url) => this.balancer.eject(url, 'circuit breaker open', this.options.breakerCooldownMs),
    });
    this.slots = new CallSlots(this.options.maxConcurrent, this.options.maxQueued);
    this.retryPolicy = retry(failures, {
      maxAttempts: this.options.retries,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
    });
    // A connection that never opened carried nothing, and a closing replica's 503 was answered before
    // any handler ran: even a POST is safe to send again, to another instance (the one that refused is
    // ejected). Without this, starting playback against a dead replica failed until a health check
    // ejected it, and a rolling restart's closing replicas failed a few calls each (chaos experiments).
    this.unsentRetryPolicy = retry(handleWhen(unprocessed), {
      maxAttempts: this.options.retries,
      backoff: new ExponentialBackoff({ initialDelay: 10, maxDelay: 200 }),
    });
  }

  get service(): string {
    return this.options.service;
  }

  /**
   * The upstream's circuit as a whole, for the admin console: `closed` when no instance's breaker is
   * open, `open` when every instance's is (calls fail fast), `partly-open` between.
   */
  get circuit(): CircuitSummary {
    return this.breakers.summary();
  }

  /** Each instance with its calls in flight, whether it is ejected, and its own breaker's state. */
  instances(): (InstanceState & { circuit: string })[] {
    return this.balancer.snapshot().map((i) => ({ ...i, circuit: this.breakers.state(i.url) }));
  }

  /**
   * Probes every instance in the background (GET `path`, default /readyz/self, with the client's
   * headers) and keeps failing ones out of the rotation until they recover. Stopped by close().
   *
   * Readiness, not liveness (/healthz): a replica draining before it stops (drain.ts) answers
   * /readyz/self 503 for SHUTDOWN_DRAIN_MS while it still serves, and leaves the rotation then.
   */
  startHealthChecks(
    options: HealthCheckOptions = {},
    onChange?: (url: string, healthy: boolean) => void,
  ): void {
    if (this.stopHealthChecks) return;
    const probe = httpProbe(
      (url) => this.pools.get(url)!,
      { path: '/readyz/self', ...options },
      this.options.headers,
    );
    this.stopHealthChecks = startHealthChecks(this.balancer, probe, options, onChange);
  }

  /**
   * Like request(), but the bodies are streamed and the answer is returned as it comes (any status),
   * for proxying. Retried only when idempotent and the body is not a stream; a 502/503/504 answer that
   * was retried is drained, the last one is returned.
   */
  async stream(method: string, path: string, call: StreamCallOptions = {}): Promise<ServiceStreamResponse> {
    const replayable = call.body == null || typeof call.body === 'string' || Buffer.isBuffer(call.body);
    const idempotent =
      (call.idempotent ?? (IDEMPOTENT.has(method) || hasIdempotencyKey(call.headers))) && replayable;
    let previous: ServiceStreamResponse | undefined;
    const attempts: Attempts = call.avoid?.size ? { failedOn: new Set(call.avoid) } : {};
    const attempt = () =>
      this.inSlot(async () => {
        previous?.body.resume(); // drain the answer we are about to retry, keeping the connection
        try {
          return (previous = await this.streamOnce(method, path, call, attempts));
        } catch (err) {
          if (err instanceof RetryableStatus) previous = err.response as ServiceStreamResponse;
          throw err;
        }
      });
    // The first attempt runs outside the retry policy, whose promises and events cost a visible share
    // of a proxied call; only a failed one goes through it, replayed there as its first attempt, so the
    // attempts, backoff and what is retried are the policy's own.
    let first: unknown;
    try {
      return await attempt();
    } catch (err) {
      first = err;
    }
    let replayed = false;
    const retried = () => {
      if (replayed) return attempt();
      replayed = true;
      return Promise.reject(first as Error);
    };
    try {
      if (idempotent) return await this.retryPolicy.execute(retried);
      if (replayable) return await this.unsentRetryPolicy.execute(retried);
      throw first;
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
    const idempotent = call.idempotent ?? (IDEMPOTENT.has(method) || hasIdempotencyKey(call.headers));
    const attempts: Attempts = {};
    const attempt = () => this.inSlot(() => this.once(method, path, call, attempts));
    try {
      const res = idempotent
        ? await this.retryPolicy.execute(attempt)
        : await this.unsentRetryPolicy.execute(attempt);
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

  /** Lets calls in flight finish for up to one timeout, then cuts whatever is left (a stalled pool never finishes). */
  async close(): Promise<void> {
    await this.stopHealthChecks?.();
    await Promise.all(
      [...this.pools.values()].map(async (pool) => {
        const grace = new Promise((resolve) => setTimeout(resolve, this.options.timeoutMs).unref());
        if ((await Promise.race([pool.close().then(() => 'closed'), grace])) !== 'closed')
          await pool.destroy().catch(() => {});
      }),
    );
  }

  /** Runs `run` in a bulkhead slot, taken at once when one is free. */
  private inSlot<T>(run: () => Promise<T>): Promise<T> {
    const release = (): void => this.slots.release();
    const inSlot = () =>
      run().then(
        (value) => {
          release();
          return value;
        },
        (err: unknown) => {
          release();
          throw err;
        },
      );
    return this.slots.tryAcquire() ? inSlot() : this.slots.acquire().then(inSlot);
  }

  /**
   * Runs one call on the instance the balancer picks, counting it in flight and ejecting a dead one. A call
   * that times out on a pool which has not seen one answer start for a whole timeout finds the pool
   * stalled (connections that never free, a queue that never moves): it is replaced by a fresh one, so no
   * fault in a pool can keep an upstream unreachable.
   */
  private async onInstance<T>(
    run: (pool: Pool, url: string) => Promise<T>,
    timeoutMs: number,
    attempts: Attempts,
    /** Whether stall detection watches the call (not an upload: its length is the client's). */
    watched = true,
    /** Run even when the instance's breaker is open (StreamCallOptions.pastBreaker). */
    pastBreaker = false,
  ): Promise<T> {
    // An instance whose breaker refuses the call (open, or half-open with its one trial call already
    // out) was sent nothing: the call goes to the next instance, and fails fast only when all refuse.
    let refused: Set<string> | undefined;
    for (;;) {
      const failedOn = attempts.failedOn;
      const exclude = refused && failedOn ? new Set([...failedOn, ...refused]) : (refused ?? failedOn);
      const url = this.balancer.begin(exclude, watched);
      const pool = this.pools.get(url)!;
      const startedAt = Date.now();
      try {
        let result: T;
        if (this.breakers.isClosed(url)) {
          // A closed breaker only needs to hear the outcome: read synchronously, no policy around the call.
          try {
            result = await run(pool, url);
          } catch (err) {
            await this.breakers.failed(url, err);
            throw err;
          }
          this.breakers.succeeded(url);
        } else if (pastBreaker) {
          // Not through the breaker: its half-open trial call stays for the traffic that judges recovery.
          result = await run(pool, url);
        } else {
          result = await this.breakers.execute(url, () => run(pool, url));
        }
        this.lastAnswerAt.set(url, Date.now());
        this.balancer.answered(url);
        return result;
      } catch (err) {
        if (err instanceof RetryableStatus) this.balancer.answered(url);
        if (err instanceof BrokenCircuitError) {
          (refused ??= new Set()).add(url);
          if (refused.size < this.balancer.urls.length) continue;
          throw err;
        }
        // The call's next attempt, if any, goes to another instance (all of them tried: any again).
        (attempts.failedOn ??= new Set()).add(url);
        const down = instanceDownReason(err);
        if (down) this.balancer.eject(url, down);
        else if (unprocessed(err)) this.balancer.eject(url, 'shutting down: answered 503 while closing');
        if (down === undefined && isTimeout(err) && (this.lastAnswerAt.get(url) ?? 0) <= startedAt)
          this.retirePool(url, pool, timeoutMs);
        throw err;
      } finally {
        this.balancer.end(url, watched);
      }
    }
  }

  private retirePool(url: string, stalled: Pool, timeoutMs: number): void {
    if (this.pools.get(url) !== stalled || stalled.closed || stalled.destroyed) return;
    this.pools.set(url, this.newPool(url));
    this.lastAnswerAt.set(url, Date.now() - timeoutMs); // the new pool has to prove itself
    this.poolsRebuilt++;
    const destroy = setTimeout(() => void stalled.destroy().catch(() => {}), RETIRED_POOL_GRACE_MS);
    destroy.unref();
    stalled.close().then(
      () => clearTimeout(destroy),
      () => {},
    );
  }

  private async streamOnce(
    method: string,
    path: string,
    call: StreamCallOptions,
    attempts: Attempts,
  ): Promise<ServiceStreamResponse> {
    const headers = withoutExpect({ ...this.options.headers, ...call.headers });
    const correlationId = currentCorrelationId();
    if (correlationId && !headers[CORRELATION_HEADER]) headers[CORRELATION_HEADER] = correlationId;
    const timeout = call.timeoutMs ?? this.options.timeoutMs;
    const body = call.body;
    if (!call.signal && (body == null || typeof body === 'string' || Buffer.isBuffer(body))) {
      // The common case (the gateway's proxied GET): the deadline is one entry in the client's queue.
      return this.onInstance(
        async (pool, instance) => {
          const res = await this.deadlines.request(
            pool,
            {
              method: method as 'GET',
              path,
              headers,
              body: body ?? null,
              headersTimeout: timeout,
              bodyTimeout: timeout,
            },
            timeout,
          );
          const answer = { status: res.statusCode, headers: res.headers, body: res.body, instance };
          // Thrown here, inside the instance's breaker, so that it counts against this instance.
          if (isRetryableStatus(answer.status)) throw new RetryableStatus(answer);
          return answer;
        },
        timeout,
        attempts,
        true,
        call.pastBreaker,
      );
    }
    return this.onInstance(
      async (pool, instance) => {
        // A precise deadline for the answer to start, waiting for a connection included. A streamed body
        // (an upload) stops the clock once the upstream starts reading it: from then on the upload takes as
        // long as the client needs, bounded by undici's own timers, refreshed as data moves.
        const deadline = new Deadline(timeout).link(call.signal);
        if (body != null && typeof body === 'object' && !Buffer.isBuffer(body))
          body.once('resume', () => deadline.stopClock());
        let res;
        try {
          res = await deadline.race(
            pool.request({
              method: method as 'GET',
              path,
              headers,
              body: body ?? null,
              headersTimeout: timeout,
              bodyTimeout: timeout,
              signal: deadline,
            }),
            discardLate,
          );
        } finally {
          deadline.clear();
        }
        const answer = { status: res.statusCode, headers: res.headers, body: res.body, instance };
        // Thrown here, inside the instance's breaker, so that it counts against this instance.
        if (isRetryableStatus(answer.status)) throw new RetryableStatus(answer);
        return answer;
      },
      timeout,
      attempts,
      // An upload's answer comes when the client has sent it all: stall detection leaves it out.
      body == null || typeof body === 'string' || Buffer.isBuffer(body),
      call.pastBreaker,
    );
  }

  private async once(
    method: string,
    path: string,
    call: CallOptions,
    attempts: Attempts,
  ): Promise<ServiceResponse> {
    const headers = withoutExpect<Record<string, string>>({ ...this.options.headers, ...call.headers });
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
    return this.onInstance(
      async (pool) => {
        const deadline = new Deadline(timeout); // covers the whole answer, body included
        try {
          const res = await deadline.race(
            pool.request({
              method: method as 'GET',
              path,
              headers,
              body,
              query,
              headersTimeout: timeout,
              bodyTimeout: timeout,
              signal: deadline,
            }),
            discardLate,
          );
          const text = await res.body.text();
          const type = String(res.headers['content-type'] ?? '');
          const parsed = type.includes('json') && text.length > 0 ? (JSON.parse(text) as unknown) : text;
          const response: ServiceResponse = { status: res.statusCode, headers: res.headers, body: parsed };
          // Thrown here, inside the instance's breaker, so that it counts against this instance.
          if (isRetryableStatus(res.statusCode)) throw new RetryableStatus(response);
          return response;
        } finally {
          deadline.clear();
        }
      },
      timeout,
      attempts,
    );
  }
}
