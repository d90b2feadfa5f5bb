import {
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { isUpstreamFailure } from './upstream-failures.js';

export type CircuitSummary = 'closed' | 'partly-open' | 'open';

export interface InstanceBreakerOptions {
  /** Consecutive failures of one instance that open its breaker. */
  threshold: number;
  /** How long an open breaker refuses calls before it lets one trial call through (half-open). */
  cooldownMs: number;
  /** Called when an instance's breaker opens (the client takes it out of the rotation). */
  opened?(url: string): void;
}

const STATE_NAMES: Record<CircuitState, string> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * One cockatiel circuit breaker per instance of an upstream. A breaker per *service* let one failing
 * replica open the circuit for its healthy siblings (every call then failed fast although half the
 * instances could answer); per instance, the failing one is left out and the others keep serving.
 * The service as a whole fails fast only when every instance's breaker is open.
 *
 * @example
 *   const breakers = new InstanceBreakers(['http://a:1', 'http://b:2'], { threshold: 5, cooldownMs: 5_000 });
 *   await breakers.execute('http://a:1', () => callA()); // throws BrokenCircuitError while a's is open
 */
export class InstanceBreakers {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  /** Each breaker's failure counter, for the synchronous fast path (closed, success). */
  private readonly counters = new Map<string, ConsecutiveBreaker>();

  constructor(urls: readonly string[], options: InstanceBreakerOptions) {
    for (const url of urls) {
      const counter = new ConsecutiveBreaker(options.threshold);
      const breaker = circuitBreaker(handleWhen(isUpstreamFailure), {
        halfOpenAfter: options.cooldownMs,
        breaker: counter,
      });
      this.counters.set(url, counter);
      breaker.onBreak(() => options.opened?.(url));
      this.breakers.set(url, breaker);
    }
  }

  /** Runs `call` through `url`'s breaker: BrokenCircuitError, without calling, while it is open. */
  execute<T>(url: string, call: () => Promise<T>): Promise<T> {
    return this.breaker(url).execute(call);
  }

  /**
   * Whether `url`'s breaker is closed, read synchronously: then a call may run without going through
   * execute(), provided its outcome is reported with succeeded() or failed() — what execute() would do,
   * without its promises and events on every call (the service client's fast path).
   */
  isClosed(url: string): boolean {
    return this.breaker(url).state === CircuitState.Closed;
  }

  /** A call run outside execute() on a closed breaker succeeded: its consecutive failures start again. */
  succeeded(url: string): void {
    this.counters.get(url)?.success();
  }

  /**
   * A call run outside execute() failed: counted exactly as execute() counts it (only upstream failures,
   * and the breaker opens at the threshold), by handing the error to execute().
   */
  async failed(url: string, err: unknown): Promise<void> {
    await this.breaker(url)
      .execute(() => Promise.reject(err as Error))
      .catch(() => {});
  }

  state(url: string): string {
    return STATE_NAMES[this.breaker(url).state];
  }

  summary(): CircuitSummary {
    const open = [...this.breakers.values()].filter(
      (b) => b.state === CircuitState.Open || b.state === CircuitState.Isolated,
    ).length;
    if (open === 0) return 'closed';
    return open === this.breakers.size ? 'open' : 'partly-open';
  }

  private breaker(url: string): CircuitBreakerPolicy {
    const breaker = this.breakers.get(url);
    if (!breaker) throw new Error(`unknown instance ${url}`);
    return breaker;
  }
}
