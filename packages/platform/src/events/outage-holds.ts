import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '@marquee/core';

/** How often, at most, a member says again that it is still holding events back for an outage. */
export const OUTAGE_LOG_INTERVAL_MS = 30_000;

interface GroupTally {
  held: number;
  retries: number;
}

/** Per consumer group, in this process: events held back by an outage now, and their tries so far. */
const tallies = new Map<string, GroupTally>();

function tallyOf(group: string): GroupTally {
  let tally = tallies.get(group);
  if (!tally) tallies.set(group, (tally = { held: 0, retries: 0 }));
  return tally;
}

/**
 * One member's events held back while a dependency is down: the metric, and a log line when the
 * first is held, at most every OUTAGE_LOG_INTERVAL_MS while any is, and when the last is released —
 * not one line per try, which during an outage of a busy group would be thousands.
 */
export class OutageHolds {
  private held = 0;
  private retries = 0;
  private since = 0;
  private lastLogAt = 0;

  constructor(
    private readonly group: string,
    private readonly logger: Logger | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** An event's handler failed with the outage class: it is held (retried in place) from now. */
  begin(eventId: string, error: string): void {
    this.held += 1;
    tallyOf(this.group).held += 1;
    if (this.held === 1 && this.since === 0) {
      this.since = this.lastLogAt = this.now();
      this.logger?.warn(
        { eventId, error },
        'a dependency is down: holding events and retrying them without counting deliveries',
      );
    }
  }

  /** One more try of a held event failed the same way. */
  retried(error: string): void {
    this.retries += 1;
    tallyOf(this.group).retries += 1;
    const at = this.now();
    if (at - this.lastLogAt < OUTAGE_LOG_INTERVAL_MS) return;
    this.lastLogAt = at;
    this.logger?.warn(
      { held: this.held, retries: this.retries, downForMs: at - this.since, error },
      'a dependency is still down: events held',
    );
  }

  /** A held event was handled (`recovered`) or given back (member stopping, lease lost). */
  end(recovered: boolean): void {
    this.held -= 1;
    tallyOf(this.group).held -= 1;
    if (this.held > 0) return;
    if (recovered)
      this.logger?.info(
        { retries: this.retries, heldForMs: this.now() - this.since },
        'the dependency is back: held events handled',
      );
    this.since = 0;
    this.retries = 0;
  }
}

/**
 * Registers this process's outage-hold metrics in a service's registry:
 * `marquee_events_held_by_outage{group}` (events whose handler is waiting for a dependency to return,
 * now) and `marquee_events_outage_retries_total{group}` (tries of held events that failed again).
 */
export function registerEventOutageMetrics(registry: Registry): void {
  new Gauge({
    name: 'marquee_events_held_by_outage',
    help: 'Events held back (retried without counting deliveries) because a dependency is down',
    labelNames: ['group'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [group, tally] of tallies) this.set({ group }, tally.held);
    },
  });
  new Counter({
    name: 'marquee_events_outage_retries_total',
    help: 'Tries of held events that failed again on a dependency outage',
    labelNames: ['group'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [group, tally] of tallies) this.inc({ group }, tally.retries);
    },
  });
}
