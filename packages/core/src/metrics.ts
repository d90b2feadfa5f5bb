import { collectDefaultMetrics, Counter, Histogram, Registry, type CounterConfiguration } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/** One registry per service so that several services in one process still expose their own /metrics. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  return { registry, httpDuration };
}

/** One label set of a {@link TalliedCounter}, bound once: `add` is a plain addition. */
export interface Tally {
  add(by?: number): void;
}

class TallySlot<L extends string> implements Tally {
  pending = 0;
  constructor(readonly labels: Partial<Record<L, string | number>>) {}
  add(by = 1): void {
    this.pending += by;
  }
}

/**
 * A prom-client counter for a hot path: callers bind a label set once ({@link slot}) and add plain
 * numbers to it, which are handed to the counter whenever it is collected (a scrape, or `get()`).
 * prom-client validates and hashes the labels of every `inc` (about a microsecond), which on an edge
 * answering tens of thousands of requests a second is a visible share of its CPU. What a scrape sees
 * is the same counter with the same labels.
 */
export class TalliedCounter<L extends string = string> {
  readonly counter: Counter<L>;
  private readonly slots: TallySlot<L>[] = [];

  constructor(config: Omit<CounterConfiguration<L>, 'collect'>) {
    const slots = this.slots;
    this.counter = new Counter<L>({
      ...config,
      collect(this: Counter<L>) {
        for (const slot of slots) {
          if (slot.pending === 0) continue;
          this.inc(slot.labels, slot.pending);
          slot.pending = 0;
        }
      },
    });
  }

  /** A bound label set; binding the same labels twice gives two tallies of the one series. */
  slot(labels: Partial<Record<L, string | number>> = {}): Tally {
    const slot = new TallySlot<L>(labels);
    this.slots.push(slot);
    return slot;
  }
}
