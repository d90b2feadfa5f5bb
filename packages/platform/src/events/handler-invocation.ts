import { runWithContext } from '@marquee/core';
import { errorMessage } from './delivery-policy.js';
import { EventLeaseLostError } from './errors.js';
import { isDependencyOutage, outageRetryDelayMs } from './outage.js';
import type { OutageHolds } from './outage-holds.js';
import type { DeliveredEvent, EventHandler } from './port.js';

/**
 * `failed`: the handler failed on the event (counts against its deliveries). `released`: it failed
 * because a dependency is down and the member gave the event back without its delivery counting
 * (member stopping, or its lease lost) — an outage never ends a delivery any other way.
 */
export type HandlerOutcome =
  { kind: 'ok' } | { kind: 'failed'; error: string } | { kind: 'released'; error: string };

export interface Invocation {
  /** The outcome, or 'timeout' when the handler has not settled within its (extended) ack timeout. */
  outcome: Promise<HandlerOutcome | { kind: 'timeout' }>;
  /** The handler's own outcome, however long it takes (a late success can still be acknowledged). */
  settled: Promise<HandlerOutcome>;
}

type LeaseState = 'running' | 'timed-out' | 'settled';

/** A delivery before the invocation gives it its `extendLease`. */
export type ReceivedEvent = Omit<DeliveredEvent, 'extendLease'>;

export interface LeaseTerms {
  group: string;
  ackTimeoutMs: number;
  /**
   * Pushes the lease on the bus to a full ackTimeoutMs from now; false when the bus says this member
   * no longer holds the event; throws when it could not tell (the lease stays as it was).
   */
  renew: () => Promise<boolean>;
  /** Where the member counts and logs events held back by an outage. */
  holds?: OutageHolds;
  /** Aborted when the member stops: a held event is given back at once instead of waiting on. */
  release?: AbortSignal;
}

/**
 * Runs a handler inside the event's correlation context (so its logs and onward calls carry the id),
 * and races it against the ack timeout: past it the event belongs to the group again, and the member
 * frees the slot instead of waiting on a handler that may never return. `extendLease` renews the lease
 * on the bus and restarts this timer from the moment the renewal was sent (never later than the bus's
 * own deadline, so the member gives up no later than the bus does).
 */
export function invokeHandler(handler: EventHandler, received: ReceivedEvent, lease: LeaseTerms): Invocation {
  let state: LeaseState = 'running';
  let timer: NodeJS.Timeout | undefined;
  let timedOut!: (value: { kind: 'timeout' }) => void;
  const timeout = new Promise<{ kind: 'timeout' }>((resolve) => (timedOut = resolve));
  const armFrom = (start: number) => {
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        if (state !== 'running') return;
        state = 'timed-out';
        timedOut({ kind: 'timeout' });
      },
      Math.max(0, start + lease.ackTimeoutMs - Date.now()),
    );
  };
  const lost = (why: string) =>
    new EventLeaseLostError(
      lease.group,
      received.position,
      `event ${received.event.id} (position ${received.position}) is no longer held by this member of ` +
        `group ${lease.group}: ${why}`,
    );
  const expired = () => lost(`its ack timeout of ${lease.ackTimeoutMs} ms passed before extendLease`);

  const delivery: DeliveredEvent = {
    ...received,
    async extendLease() {
      if (state === 'settled') return;
      if (state === 'timed-out') throw expired();
      const sentAt = Date.now();
      if (!(await lease.renew()))
        throw lost('its lease expired and the event was claimed again or dead-lettered');
      // The local timer may have fired while the renewal was on its way: the member already gave up.
      if ((state as LeaseState) === 'timed-out') throw expired();
      if ((state as LeaseState) === 'running') armFrom(sentAt);
    },
  };

  const correlationId = received.event.correlationid ?? received.event.id;
  armFrom(Date.now());
  const settled = runWithContext({ correlationId }, () =>
    runHeld(handler, delivery, lease, () => state === 'timed-out'),
  );
  const outcome = Promise.race([settled, timeout]).finally(() => {
    clearTimeout(timer);
    if (state === 'running') state = 'settled';
  });
  return { outcome, settled };
}

/**
 * Runs the handler; while it fails with a dependency's outage (isDependencyOutage), holds the event:
 * extends its lease, waits (capped exponential) and runs the handler again, within the same delivery,
 * so the outage never uses up the event's deliveries. It ends when the handler succeeds or fails on
 * its own (`failed`, counted), or when the event must be given back (`released`: the member stops or
 * the lease was lost) — never because the outage lasted.
 */
async function runHeld(
  handler: EventHandler,
  delivery: DeliveredEvent,
  lease: LeaseTerms,
  timedOut: () => boolean,
): Promise<HandlerOutcome> {
  let attempt = 0;
  let result: HandlerOutcome | undefined;
  try {
    for (;;) {
      let failure: unknown;
      try {
        await handler(delivery);
        return (result = { kind: 'ok' });
      } catch (err) {
        failure = err;
      }
      const error = errorMessage(failure);
      if (!isDependencyOutage(failure)) return (result = { kind: 'failed', error });
      attempt += 1;
      if (attempt === 1) lease.holds?.begin(delivery.event.id, error);
      else lease.holds?.retried(error);
      if (lease.release?.aborted || timedOut()) return { kind: 'released', error };
      try {
        await delivery.extendLease();
      } catch (err) {
        // Lost: the event is another member's now. Otherwise the bus is unreachable: try again later.
        if (err instanceof EventLeaseLostError) return { kind: 'released', error };
      }
      await pause(outageRetryDelayMs(attempt, lease.ackTimeoutMs), lease.release);
      if (lease.release?.aborted || timedOut()) return { kind: 'released', error };
    }
  } finally {
    if (attempt > 0) lease.holds?.end(result !== undefined);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Replayed events are read, not delivered to a group: there is no lease to extend. */
export function withoutLease(received: ReceivedEvent): DeliveredEvent {
  return { ...received, extendLease: async () => undefined };
}
