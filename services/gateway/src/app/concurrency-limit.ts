/**
 * Adaptive concurrency limiting after Netflix's concurrency-limits (Gradient2Limit + SimpleLimiter).
 * Instead of a fixed cap, each upstream's limit follows its latency: while the short-term RTT stays
 * near the long-term RTT the limit grows by a small queue allowance; when requests start to queue
 * upstream (short RTT well above long RTT) the gradient long/short drops below 1 and the limit shrinks.
 * Requests over the limit are shed at once (503 + Retry-After) rather than queued without bound.
 * Pure: no timers, no I/O; the caller supplies RTT samples and the clock.
 */

export interface Gradient2Options {
  /** Limit before any sample (default 20). */
  initialLimit?: number;
  /** Never below this, however bad the latency (default 4). */
  minLimit?: number;
  /** Never above this (default 200). */
  maxLimit?: number;
  /** Weight of each new estimate, 0..1 (default 0.2): lower is steadier, higher reacts faster. */
  smoothing?: number;
  /** Short RTT may exceed long RTT by this factor before the limit shrinks (default 1.5). */
  rttTolerance?: number;
  /** Samples in the long-term RTT's exponential average (default 600). */
  longWindow?: number;
  /** Growth allowance per update, as a count or a function of the current limit (default 4). */
  queueSize?: number | ((limit: number) => number);
}

/** Exponential moving average that starts as a plain mean over its first `warmup` samples. */
class ExpAverage {
  private count = 0;
  private sum = 0;
  value = 0;

  constructor(
    private readonly window: number,
    private readonly warmup: number,
  ) {}

  add(sample: number): number {
    if (this.count < this.warmup) {
      this.count++;
      this.sum += sample;
      this.value = this.sum / this.count;
    } else {
      const factor = 2 / (this.window + 1);
      this.value = this.value * (1 - factor) + sample * factor;
    }
    return this.value;
  }
}

/** The Gradient2 limit algorithm: `update()` per RTT sample returns the new (integer) limit. */
export class Gradient2Limit {
  private estimate: number;
  private readonly longRtt: ExpAverage;
  private readonly options: Required<Omit<Gradient2Options, 'queueSize'>> & {
    queueSize: (limit: number) => number;
  };

  constructor(options: Gradient2Options = {}) {
    const queueSize = options.queueSize ?? 4;
    this.options = {
      initialLimit: 20,
      minLimit: 4,
      maxLimit: 200,
      smoothing: 0.2,
      rttTolerance: 1.5,
      longWindow: 600,
      ...options,
      queueSize: typeof queueSize === 'number' ? () => queueSize : queueSize,
    };
    const { minLimit, maxLimit, initialLimit, smoothing, rttTolerance } = this.options;
    if (minLimit < 1 || maxLimit < minLimit) throw new RangeError('need 1 <= minLimit <= maxLimit');
    if (!(smoothing > 0 && smoothing <= 1)) throw new RangeError('smoothing must be in (0, 1]');
    if (rttTolerance < 1) throw new RangeError('rttTolerance must be >= 1');
    this.estimate = Math.min(maxLimit, Math.max(minLimit, initialLimit));
    this.longRtt = new ExpAverage(this.options.longWindow, 10);
  }

  get limit(): number {
    return Math.floor(this.estimate);
  }

  /** The long-term RTT estimate (ms), for metrics and tests. */
  get longTermRtt(): number {
    return this.longRtt.value;
  }

  /**
   * One sample: `rtt` of a finished request and `inflight` when it started (including itself).
   * Dropped requests (timeouts) are sampled with the time they took, which pulls the limit down.
   */
  update(rtt: number, inflight: number): number {
    const shortRtt = Math.max(rtt, 1e-3);
    const longRtt = this.longRtt.add(shortRtt);
    const { smoothing, rttTolerance, minLimit, maxLimit } = this.options;

    // After a long overload the long RTT lags far behind reality; decay it so recovery is quick.
    if (longRtt / shortRtt > 2) this.longRtt.value *= 0.95;

    // App-limited: with less than half the limit in use the samples say nothing about the ceiling.
    if (inflight < this.estimate / 2) return this.limit;

    // Not allowed below 0.5, so one outlier cannot halve the limit by more than half.
    const gradient = Math.max(0.5, Math.min(1, (rttTolerance * longRtt) / shortRtt));
    const target = this.estimate * gradient + this.options.queueSize(this.estimate);
    const smoothed = this.estimate * (1 - smoothing) + target * smoothing;
    this.estimate = Math.max(minLimit, Math.min(maxLimit, smoothed));
    return this.limit;
  }
}

/** A granted slot: report exactly one outcome (later calls are ignored). */
export interface LimiterSlot {
  /** The upstream answered: sample its RTT. */
  success(): void;
  /** The upstream timed out or said it was overloaded: sample the time it took. */
  dropped(): void;
  /** The outcome says nothing about upstream latency (client gone, long upload): release only. */
  ignore(): void;
}

/**
 * The short wait allowed at the limit, after Netflix's blocking limiters: a burst that briefly needs more
 * slots than the limit (a GC pause, a batch of event handlers sharing the process) waits a few
 * milliseconds for one instead of failing, while a real overload still sheds: the backlog is bounded in
 * size and in time, so no queue grows without bound. First in, first out: under bursts that keeps the
 * tail short; under overload every waiter is shed at the same deadline anyway.
 */
export interface BacklogOptions {
  /** Requests that may wait for a slot at once (default 0: shed at the limit). */
  size?: number;
  /** How long one may wait before it is shed, ms (default 0). */
  timeoutMs?: number;
}

interface Waiter {
  grant: (slot: LimiterSlot | undefined) => void;
  timer: NodeJS.Timeout;
}

/**
 * Admission against a Gradient2Limit: `acquire()` answers a slot while fewer than `limit` requests are
 * in flight, else undefined; `waitForSlot()` then queues the request in the bounded backlog, and its
 * undefined answer means: shed it.
 */
export class ConcurrencyLimiter {
  private inFlight = 0;
  private readonly waiters: Waiter[] = [];
  private readonly backlogSize: number;
  private readonly backlogTimeoutMs: number;

  constructor(
    readonly algorithm: Gradient2Limit = new Gradient2Limit(),
    private readonly now: () => number = () => performance.now(),
    backlog: BacklogOptions = {},
  ) {
    this.backlogSize = backlog.size ?? 0;
    this.backlogTimeoutMs = backlog.timeoutMs ?? 0;
  }

  get inflight(): number {
    return this.inFlight;
  }

  get limit(): number {
    return this.algorithm.limit;
  }

  /** Requests waiting in the backlog. */
  get waiting(): number {
    return this.waiters.length;
  }

  acquire(): LimiterSlot | undefined {
    if (this.inFlight >= this.algorithm.limit || this.waiters.length > 0) return undefined;
    return this.grant();
  }

  /** A slot once one frees within the backlog timeout, or undefined (backlog full, or waited too long). */
  waitForSlot(): Promise<LimiterSlot | undefined> {
    const slot = this.acquire();
    if (slot) return Promise.resolve(slot);
    if (this.waiters.length >= this.backlogSize || this.backlogTimeoutMs <= 0)
      return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          resolve(undefined);
        }, this.backlogTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private grant(): LimiterSlot {
    const inflightAtStart = ++this.inFlight;
    const started = this.now();
    let done = false;
    const finish = (sample: boolean) => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (sample) this.algorithm.update(this.now() - started, inflightAtStart);
      this.admitWaiters();
    };
    return { success: () => finish(true), dropped: () => finish(true), ignore: () => finish(false) };
  }

  /** Freed slots go to the oldest waiters first. */
  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.inFlight < this.algorithm.limit) {
      const waiter = this.waiters.shift()!;
      clearTimeout(waiter.timer);
      waiter.grant(this.grant());
    }
  }
}
