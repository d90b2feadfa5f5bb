import { runWithContext } from '@marquee/core';
import { errorMessage } from './delivery-policy.js';
import { EventLeaseLostError } from './errors.js';
import type { DeliveredEvent, EventHandler } from './port.js';

export type HandlerOutcome = { kind: 'ok' } | { kind: 'failed'; error: string };

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
  const settled = runWithContext({ correlationId }, async (): Promise<HandlerOutcome> => {
    try {
      await handler(delivery);
      return { kind: 'ok' };
    } catch (err) {
      return { kind: 'failed', error: errorMessage(err) };
    }
  });
  const outcome = Promise.race([settled, timeout]).finally(() => {
    clearTimeout(timer);
    if (state === 'running') state = 'settled';
  });
  return { outcome, settled };
}

/** Replayed events are read, not delivered to a group: there is no lease to extend. */
export function withoutLease(received: ReceivedEvent): DeliveredEvent {
  return { ...received, extendLease: async () => undefined };
}
