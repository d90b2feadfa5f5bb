export type BalancingStrategy = 'round-robin' | 'least-outstanding';

export interface LoadBalancerOptions {
  /** `least-outstanding` (default) sends each call to the instance with the fewest calls in flight. */
  strategy?: BalancingStrategy;
  /** How long an instance stays out after a failure when no health check re-admits it sooner. */
  ejectionMs?: number;
  /**
   * An instance with watched calls in flight that has answered nothing at all (no call, no health probe)
   * for this long is stalled — a frozen process — and ejected (default 2,500 ms; 0 turns it off).
   */
  stallMs?: number;
  now?: () => number;
}

export interface InstanceState {
  url: string;
  outstanding: number;
  ejected: boolean;
  /** Why it was last ejected, for the admin console and logs. */
  reason?: string;
}

interface Instance {
  url: string;
  outstanding: number;
  ejectedUntil: number;
  reason?: string;
  /** Calls in flight that stall detection watches (not uploads, whose length is the client's). */
  watched: number;
  /** Since when it has been silent: its last answer, or the start of a watched call after none was out. */
  quietSince: number;
}

/**
 * Spreads calls over the instances of one service and keeps failing instances out (outlier ejection).
 * An instance is ejected by a failed health check or a refused connection, for `ejectionMs` or until a
 * health check sees it healthy again. When every instance is ejected the balancer uses them all anyway
 * ("panic mode", as Envoy does): a guess at a live instance beats failing every call locally.
 *
 * A frozen instance (SIGSTOP, a blocked event loop) refuses nothing: it accepts connections and never
 * answers, so neither a refused connection nor its breaker (which waits for calls to time out) sees it
 * soon, and a health probe only every few seconds. Stall detection does: an instance with calls in flight
 * that has answered nothing — no call of any status, no probe — for `stallMs` is ejected. A slow
 * instance still answers something (its other calls, its probes) and stays in; the chaos `freeze`
 * experiment's goal is out within 5 s (load-balancer.stall.test.ts, with a real stopped process).
 *
 * @example
 *   const lb = new LoadBalancer(['http://a:1', 'http://b:2']);
 *   const url = lb.begin(); try { await call(url) } finally { lb.end(url) }
 */
export class LoadBalancer {
  private readonly instances: Instance[];
  private readonly strategy: BalancingStrategy;
  private readonly ejectionMs: number;
  private readonly stallMs: number;
  private readonly now: () => number;
  private cursor = 0;

  constructor(urls: readonly string[], options: LoadBalancerOptions = {}) {
    if (urls.length === 0) throw new Error('a load balancer needs at least one instance URL');
    this.instances = [...new Set(urls)].map((url) => ({
      url,
      outstanding: 0,
      ejectedUntil: 0,
      watched: 0,
      quietSince: 0,
    }));
    this.strategy = options.strategy ?? 'least-outstanding';
    this.ejectionMs = options.ejectionMs ?? 10_000;
    this.stallMs = options.stallMs ?? 2_500;
    this.now = options.now ?? Date.now;
  }

  get urls(): string[] {
    return this.instances.map((i) => i.url);
  }

  /**
   * The instance for the next call, without counting it in flight; never one in `exclude` (instances
   * this call already found refusing) unless every instance is.
   */
  pick(exclude?: ReadonlySet<string>): string {
    const now = this.now();
    this.ejectStalled(now);
    const allowed = exclude?.size ? this.instances.filter((i) => !exclude.has(i.url)) : this.instances;
    const pool = allowed.length > 0 ? allowed : this.instances;
    const live = pool.filter((i) => i.ejectedUntil <= now);
    const candidates = live.length > 0 ? live : pool;
    // Rotating the starting point makes ties (the common case under light load) round-robin.
    const start = this.cursor++ % candidates.length;
    let best = candidates[start]!;
    if (this.strategy === 'least-outstanding') {
      for (let k = 1; k < candidates.length; k++) {
        const c = candidates[(start + k) % candidates.length]!;
        if (c.outstanding < best.outstanding) best = c;
      }
    }
    return best.url;
  }

  /**
   * Picks an instance and counts the call in flight; pair with end(url, watched). `watched: false` for
   * a call that may rightly go on for long (an upload): stall detection leaves it out.
   */
  begin(exclude?: ReadonlySet<string>, watched = true): string {
    const url = this.pick(exclude);
    const instance = this.find(url);
    instance.outstanding++;
    if (watched && instance.watched++ === 0) instance.quietSince = this.now();
    return url;
  }

  end(url: string, watched = true): void {
    const instance = this.find(url);
    instance.outstanding = Math.max(0, instance.outstanding - 1);
    if (watched) instance.watched = Math.max(0, instance.watched - 1);
  }

  /** The instance answered something (any status): it is alive, however slow. */
  answered(url: string): void {
    this.find(url).quietSince = this.now();
  }

  eject(url: string, reason: string, forMs = this.ejectionMs): void {
    const instance = this.find(url);
    instance.ejectedUntil = Math.max(instance.ejectedUntil, this.now() + forMs);
    instance.reason = reason;
  }

  /** A health check saw it healthy: back in the rotation, and alive as of now. */
  admit(url: string): void {
    const instance = this.find(url);
    instance.ejectedUntil = 0;
    instance.quietSince = this.now();
  }

  isEjected(url: string): boolean {
    return this.find(url).ejectedUntil > this.now();
  }

  snapshot(): InstanceState[] {
    const now = this.now();
    this.ejectStalled(now);
    return this.instances.map((i) => ({
      url: i.url,
      outstanding: i.outstanding,
      ejected: i.ejectedUntil > now,
      ...(i.reason && i.ejectedUntil > now ? { reason: i.reason } : {}),
    }));
  }

  private ejectStalled(now: number): void {
    if (this.stallMs <= 0) return;
    for (const i of this.instances) {
      if (i.watched === 0 || now - i.quietSince < this.stallMs || i.ejectedUntil > now) continue;
      i.ejectedUntil = now + this.ejectionMs;
      i.reason = `stalled: no answer for ${((now - i.quietSince) / 1000).toFixed(1)} s with ${i.watched} calls in flight`;
    }
  }

  private find(url: string): Instance {
    const instance = this.instances.find((i) => i.url === url);
    if (!instance) throw new Error(`unknown instance ${url}`);
    return instance;
  }
}
