import { runWithContext } from '@marquee/core';
import { errorMessage } from './delivery-policy.js';
import type { DeliveredEvent, EventHandler } from './port.js';

export type HandlerOutcome = { kind: 'ok' } | { kind: 'failed'; error: string };

export interface Invocation {
  /** The outcome, or 'timeout' when the handler has not settled within the ack timeout. */
  outcome: Promise<HandlerOutcome | { kind: 'timeout' }>;
  /** The handler's own outcome, however long it takes (a late success can still be acknowledged). */
  settled: Promise<HandlerOutcome>;
}

/**
 * Runs a handler inside the event's correlation context (so its logs and onward calls carry the id),
 * and races it against the ack timeout: past it the event belongs to the group again, and the member
 * frees the slot instead of waiting on a handler that may never return.
 */
export function invokeHandler(
  handler: EventHandler,
  delivery: DeliveredEvent,
  ackTimeoutMs: number,
): Invocation {
  const correlationId = delivery.event.correlationid ?? delivery.event.id;
  const settled = runWithContext({ correlationId }, async (): Promise<HandlerOutcome> => {
    try {
      await handler(delivery);
      return { kind: 'ok' };
    } catch (err) {
      return { kind: 'failed', error: errorMessage(err) };
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ kind: 'timeout' }>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ackTimeoutMs);
  });
  const outcome = Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
  return { outcome, settled };
}
