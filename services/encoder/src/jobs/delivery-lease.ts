import type { Logger } from '@marquee/core';
import { EventLeaseLostError, type DeliveredEvent } from '@marquee/platform';

export interface LeaseKeeper {
  /** Aborted when the worker stops or the event's lease was lost: the job must stop. */
  readonly signal: AbortSignal;
  /** Stops extending (call in `finally`). */
  stop(): void;
}

/**
 * Keeps a long job's event leased: extends it every `everyMs` (a fraction of the ack timeout), so the
 * ack timeout can be short and a killed worker's job comes back within it. Stops by itself once the
 * job is aborted; when the bus says the lease is lost (the event may already run on another worker),
 * aborts the job. A failed extension that is not a loss (bus briefly unreachable) is only logged: the
 * next one may succeed, and if none does the lease runs out and the next attempt reports the loss.
 *
 * @example
 *   const lease = keepDeliveryLeased(delivery, { everyMs: 15_000, signal: workerStopping, logger });
 *   try { await encode({ signal: lease.signal }); } finally { lease.stop(); }
 */
export function keepDeliveryLeased(
  delivery: Pick<DeliveredEvent, 'extendLease'>,
  options: { everyMs: number; signal: AbortSignal; logger: Logger },
): LeaseKeeper {
  const lost = new AbortController();
  const signal = AbortSignal.any([options.signal, lost.signal]);
  const timer = setInterval(() => {
    if (signal.aborted) {
      clearInterval(timer);
      return;
    }
    delivery.extendLease().catch((err: unknown) => {
      if (err instanceof EventLeaseLostError) {
        options.logger.warn({ err: err.message }, 'lease lost; abandoning the job');
        lost.abort(err);
      } else if (!signal.aborted) {
        options.logger.warn({ err }, 'could not extend the lease; will try again');
      }
    });
  }, options.everyMs);
  return { signal, stop: () => clearInterval(timer) };
}
