/**
 * Scheduled jobs count time in ticks aligned to the epoch: tick n of an interval starts at n × interval
 * (milliseconds since 1970). Every replica derives the same tick from its own clock, which is what lets
 * replicas agree that a tick has already run without talking to each other, as long as their clocks
 * agree to well within an interval (NTP does).
 */
export function tickAt(nowMs: number, intervalMs: number): number {
  return Math.floor(nowMs / intervalMs);
}

export function tickStart(tick: number, intervalMs: number): number {
  return tick * intervalMs;
}

/** What one replica's attempt at a tick came to. */
export type JobOutcome =
  /** This replica ran the job to its end. */
  | 'ran'
  /** This replica ran it and it threw; the tick counts as run and the next tick tries again. */
  | 'failed'
  /** Stopped part-way (lease lost, or this replica stopping): the tick is left for another replica. */
  | 'aborted'
  /** Another replica (or another attempt of this one) holds the job's lease. */
  | 'held'
  /** A replica already ran this tick. */
  | 'already-ran'
  /** The cache did not answer, so nobody can be sure the job runs only once: it is not run. */
  | 'cache-unavailable';

/**
 * When to try next after an attempt at `tick`. An attempt that could not run the tick (lease held,
 * aborted, cache down) is retried every `retryMs` while the tick lasts: that is how another replica
 * takes over a tick whose holder stopped (released the lease) or died (its lease lapsed). Otherwise,
 * and when a retry would fall past the tick, the next attempt is at the start of the next tick not yet
 * begun, so a run that outlasted its interval is not followed by a burst of catch-up runs.
 */
export function nextAttempt(
  outcome: JobOutcome,
  tick: number,
  nowMs: number,
  intervalMs: number,
  retryMs: number,
): { tick: number; at: number } {
  const retryable = outcome === 'held' || outcome === 'aborted' || outcome === 'cache-unavailable';
  if (retryable && nowMs + retryMs < tickStart(tick + 1, intervalMs)) {
    return { tick, at: nowMs + retryMs };
  }
  const next = Math.max(tick + 1, tickAt(nowMs, intervalMs) + 1);
  return { tick: next, at: tickStart(next, intervalMs) };
}
