import { randomUUID } from 'node:crypto';
import type { Logger } from '@marquee/core';
import {
  afterHandlerFailure,
  errorMessage,
  unacknowledgedReason,
  type DeliveryLimits,
} from './delivery-policy.js';
import type { EmbeddedLogStore, ClaimedRow, DeliveryRef } from './embedded-store.js';
import { parseReceived } from './envelope.js';
import { invokeHandler } from './handler-invocation.js';
import { OutageHolds } from './outage-holds.js';
import type { CloudEvent, SubscribeOptions, Subscription } from './port.js';

/**
 * One member of a consumer group in this process. It claims as many events as it has free handler
 * slots (one transaction), runs the handlers, and acknowledges what finished in one transaction on its
 * next tick; a publish in this process wakes it at once, a poll finds work from other processes,
 * expired leases and due retries.
 */
export class EmbeddedMember implements Subscription {
  private readonly id = randomUUID();
  private readonly typesJson: string;
  private readonly logger: Logger | undefined;
  private readonly running = new Set<Promise<void>>();
  private pendingAcks: DeliveryRef[] = [];
  private inFlight = 0;
  private tickScheduled = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private poller: NodeJS.Timeout | undefined;
  private readonly pollIntervalMs: number;
  private readonly holds: OutageHolds;
  /** Aborted at stop: events held back by an outage are given back instead of waited on. */
  private readonly stopSignal = new AbortController();

  constructor(
    private readonly store: EmbeddedLogStore,
    private readonly options: SubscribeOptions,
    private readonly limits: DeliveryLimits,
    busOptions: { logger?: Logger; pollIntervalMs?: number },
    private readonly onStopped: () => void,
  ) {
    this.typesJson = JSON.stringify(options.types);
    this.logger = busOptions.logger?.child({ group: options.group });
    this.pollIntervalMs = busOptions.pollIntervalMs ?? 50;
    this.holds = new OutageHolds(options.group, this.logger);
  }

  start(): void {
    this.store.registerGroup(this.options.group, this.typesJson);
    this.poller = setInterval(() => this.poll(), this.pollIntervalMs);
    this.wake();
  }

  wake(): void {
    if (this.tickScheduled || this.stopped) return;
    this.tickScheduled = true;
    setImmediate(() => {
      this.tickScheduled = false;
      this.tick();
    });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      clearInterval(this.poller);
      this.stopSignal.abort();
      await Promise.all([...this.running]);
      this.flushAcks();
      this.onStopped();
    })();
    return this.stopping;
  }

  private poll(): void {
    if (this.inFlight >= this.limits.concurrency) return;
    try {
      if (this.store.hasWork(this.options.group, Date.now())) this.wake();
    } catch (err) {
      this.logger?.warn({ err }, 'event log poll failed');
    }
  }

  /** Acknowledges what finished since the last tick, then claims as many events as there are free slots. */
  private tick(): void {
    try {
      this.flushAcks();
      while (!this.stopped) {
        const free = this.limits.concurrency - this.inFlight;
        if (free <= 0) return;
        const { claimed, deadLettered } = this.store.claim({
          group: this.options.group,
          member: this.id,
          typesJson: this.typesJson,
          limit: free,
          now: Date.now(),
          ackTimeoutMs: this.limits.ackTimeoutMs,
          maxDeliveries: this.limits.maxDeliveries,
          expiredReason: (deliveries, lastError) =>
            unacknowledgedReason(deliveries, this.limits.ackTimeoutMs, lastError),
        });
        if (deadLettered.length > 0)
          this.logger?.warn({ positions: deadLettered }, 'unacknowledged events dead-lettered');
        for (const row of claimed) this.deliver(row);
        if (claimed.length + deadLettered.length < free) return;
      }
    } catch (err) {
      // SQLITE_BUSY past the timeout or a closing store: the next poll tries again.
      this.logger?.error({ err }, 'event log claim failed');
    }
  }

  private flushAcks(): void {
    if (this.pendingAcks.length === 0) return;
    const acks = this.pendingAcks;
    this.pendingAcks = [];
    try {
      this.store.ack(acks);
    } catch (err) {
      // Unacknowledged events come back after their lease: at least once, never lost.
      this.logger?.error({ err, count: acks.length }, 'event log ack failed');
    }
  }

  private deliver(row: ClaimedRow): void {
    const { group } = this.options;
    const parsed = parseReceived(row.body);
    if (!('event' in parsed)) {
      // Never handed to the handler: it would only fail again, and must not stop the consumer.
      this.store.deadLetter(
        group,
        row.position,
        row.deliveries,
        `invalid event: ${parsed.problem}`,
        Date.now(),
      );
      this.logger?.warn({ position: row.position, problem: parsed.problem }, 'invalid event dead-lettered');
      return;
    }
    const ref: DeliveryRef = { group, position: row.position, member: this.id, deliveries: row.deliveries };
    const { ackTimeoutMs } = this.limits;
    this.inFlight += 1;
    const invocation = invokeHandler(
      this.options.handler,
      { event: parsed.event, position: row.position, deliveryCount: row.deliveries },
      {
        group,
        ackTimeoutMs,
        renew: async () => this.store.extendLease(ref, Date.now() + ackTimeoutMs),
        holds: this.holds,
        release: this.stopSignal.signal,
      },
    );
    const done = invocation.outcome.then((outcome) => {
      this.inFlight -= 1;
      this.running.delete(done);
      if (outcome.kind === 'ok') this.pendingAcks.push(ref);
      else if (outcome.kind === 'failed') this.settleFailure(ref, parsed.event, outcome.error);
      else if (outcome.kind === 'released') this.release(ref, outcome.error);
      else {
        this.logger?.warn(
          { eventId: parsed.event.id, position: row.position },
          'event handler exceeded the ack timeout',
        );
        // A late success still acknowledges, unless the event was claimed again meanwhile.
        void invocation.settled.then((late) => {
          if (late.kind === 'ok' && !this.stopped) {
            this.pendingAcks.push(ref);
            this.wake();
          }
        });
      }
      this.wake();
    });
    this.running.add(done);
  }

  /** Gives an event held back by an outage back to the group at once, its delivery not counted. */
  private release(ref: DeliveryRef, error: string): void {
    try {
      this.store.giveBack(ref, Date.now(), error);
    } catch (err) {
      this.logger?.error(
        { position: ref.position, err: errorMessage(err) },
        'could not give back a held event; its lease will expire',
      );
    }
  }

  private settleFailure(ref: DeliveryRef, event: CloudEvent, error: string): void {
    const decision = afterHandlerFailure(ref.deliveries, this.limits.maxDeliveries, error);
    const log = {
      eventId: event.id,
      type: event.type,
      position: ref.position,
      deliveries: ref.deliveries,
      error,
    };
    try {
      if (decision.kind === 'retry') {
        this.store.retry(ref, Date.now() + decision.delayMs, error);
        this.logger?.warn(log, 'event handler failed; will retry');
      } else {
        this.store.deadLetter(ref.group, ref.position, ref.deliveries, decision.reason, Date.now());
        this.logger?.error(log, 'event dead-lettered');
      }
    } catch (err) {
      this.logger?.error(
        { ...log, err: errorMessage(err) },
        'could not record the handler failure; the lease will expire',
      );
    }
  }
}
