export type BalancingStrategy = 'round-robin' | 'least-outstanding';

export interface LoadBalancerOptions {
  /** `least-outstanding` (default) sends each call to the instance with the fewest calls in flight. */
  strategy?: BalancingStrategy;
  /** How long an instance stays out after a failure when no health check re-admits it sooner. */
  ejectionMs?: number;
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
}

/**
 * Spreads calls over the instances of one service and keeps failing instances out (outlier ejection).
 * An instance is ejected by a failed health check or a refused connection, for `ejectionMs` or until a
 * health check sees it healthy again. When every instance is ejected the balancer uses them all anyway
 * ("panic mode", as Envoy does): a guess at a live instance beats failing every call locally.
 *
 * @example
 *   const lb = new LoadBalancer(['http://a:1', 'http://b:2']);
 *   const url = lb.begin(); try { await call(url) } finally { lb.end(url) }
 */
export class LoadBalancer {
  private readonly instances: Instance[];
  private readonly strategy: BalancingStrategy;
  private readonly ejectionMs: number;
  private readonly now: () => number;
  private cursor = 0;

  constructor(urls: readonly string[], options: LoadBalancerOptions = {}) {
    if (urls.length === 0) throw new Error('a load balancer needs at least one instance URL');
    this.instances = [...new Set(urls)].map((url) => ({ url, outstanding: 0, ejectedUntil: 0 }));
    this.strategy = options.strategy ?? 'least-outstanding';
    this.ejectionMs = options.ejectionMs ?? 10_000;
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

  /** Picks an instance and counts the call in flight; pair with end(url). */
  begin(exclude?: ReadonlySet<string>): string {
    const url = this.pick(exclude);
    this.find(url).outstanding++;
    return url;
  }

  end(url: string): void {
    const instance = this.find(url);
    instance.outstanding = Math.max(0, instance.outstanding - 1);
  }

  eject(url: string, reason: string, forMs = this.ejectionMs): void {
    const instance = this.find(url);
    instance.ejectedUntil = Math.max(instance.ejectedUntil, this.now() + forMs);
    instance.reason = reason;
  }

  admit(url: string): void {
    this.find(url).ejectedUntil = 0;
  }

  isEjected(url: string): boolean {
    return this.find(url).ejectedUntil > this.now();
  }

  snapshot(): InstanceState[] {
    const now = this.now();
    return this.instances.map((i) => ({
      url: i.url,
      outstanding: i.outstanding,
      ejected: i.ejectedUntil > now,
      ...(i.reason && i.ejectedUntil > now ? { reason: i.reason } : {}),
    }));
  }

  private find(url: string): Instance {
    const instance = this.instances.find((i) => i.url === url);
    if (!instance) throw new Error(`unknown instance ${url}`);
    return instance;
  }
}
