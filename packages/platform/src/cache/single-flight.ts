/**
 * Coalesces concurrent work on one key inside this process: while a run for `key` is in flight, every
 * other caller for that key gets the same promise instead of starting its own. Once it settles (either
 * way) the key is free again, so a failure is shared by the callers that waited for it and is never
 * remembered for the next one.
 */
export class SingleFlight {
  readonly #inFlight = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const started = Promise.resolve()
      .then(work)
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  /** Keys with work in flight (for tests and diagnostics). */
  get size(): number {
    return this.#inFlight.size;
  }
}

/** The storage half of a cache that getOrLoad needs. */
export interface ValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
}

/**
 * Cache-aside with stampede protection, shared by every adapter. The lookup itself runs inside the
 * flight: concurrent callers share one GET as well as one load, and a caller arriving just after a
 * load finished finds its value instead of loading again.
 */
export function getOrLoadThrough<T>(
  store: ValueStore,
  flights: SingleFlight,
  key: string,
  ttlMs: number,
  loader: () => Promise<T>,
): Promise<T> {
  return flights.run(key, async () => {
    const cached = await store.get<T>(key);
    if (cached !== undefined) return cached;
    const loaded = await loader();
    await store.set(key, loaded, ttlMs);
    return loaded;
  });
}
