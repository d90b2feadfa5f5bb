import type { SubscribeOptions } from './port.js';

/** Decisions shared by both adapters about when an event is retried, and when it is given up on. */

export const DEFAULT_ACK_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_DELIVERIES = 5;

export interface DeliveryLimits {
  ackTimeoutMs: number;
  maxDeliveries: number;
  concurrency: number;
}

/** Group names become NATS durable names and dead-letter subject tokens. */
const GROUP_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function deliveryLimits(options: SubscribeOptions): DeliveryLimits {
  if (!GROUP_PATTERN.test(options.group)) {
    throw new RangeError(`consumer group "${options.group}" must match ${GROUP_PATTERN.source}`);
  }
  if (options.types.length === 0)
    throw new RangeError(`consumer group ${options.group} subscribes to no types`);
  const limits = {
    ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
    maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
    concurrency: options.concurrency ?? 1,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return limits;
}

/**
 * Backoff before a failed event is offered again: short (the point is to step over a transient
 * failure, not to wait it out; the dead-letter stream catches the rest) and growing with each try.
 */
export function retryDelayMs(deliveryCount: number): number {
  return Math.min(50 * 2 ** Math.max(0, deliveryCount - 1), 2_000);
}

export type FailureDecision = { kind: 'retry'; delayMs: number } | { kind: 'dead-letter'; reason: string };

/** What to do after the handler threw on its `deliveryCount`-th delivery. */
export function afterHandlerFailure(
  deliveryCount: number,
  maxDeliveries: number,
  error: string,
): FailureDecision {
  if (deliveryCount >= maxDeliveries) {
    return {
      kind: 'dead-letter',
      reason: `handler failed on delivery ${deliveryCount} of ${maxDeliveries}: ${error}`,
    };
  }
  return { kind: 'retry', delayMs: retryDelayMs(deliveryCount) };
}

/** Reason recorded when the last allowed delivery was never acknowledged (hung handler, dead consumer). */
export function unacknowledgedReason(
  deliveries: number,
  ackTimeoutMs: number,
  lastError?: string | null,
): string {
  const last = lastError ? `; last handler error: ${lastError}` : '';
  return `not acknowledged within ${ackTimeoutMs} ms after ${deliveries} deliveries (handler hung or its consumer died)${last}`;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}
