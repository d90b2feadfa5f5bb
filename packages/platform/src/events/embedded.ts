import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@marquee/core';
import {
  afterHandlerFailure,
  deliveryLimits,
  errorMessage,
  unacknowledgedReason,
  type DeliveryLimits,
} from './delivery-policy.js';
import { EmbeddedLogStore, type ClaimedRow, type DeliveryRef } from './embedded-store.js';
import { buildEnvelope, parseReceived } from './envelope.js';
import { invokeHandler } from './handler-invocation.js';
import type {
  CloudEvent,
  DeadLetter,
  DeliveredEvent,
  EventBus,
  NewEvent,
  SubscribeOptions,
  Subscription,
} from './port.js';

export interface EmbeddedEventBusOptions {
  /** The SQLite file of the log; several processes may open the same file. */
  path: string;
  logger?: Logger;
  /**
   * How often an idle member looks for work published by other processes, expired leases and due
   * retries. Publishes in this process wake members at once.
   */
  pollIntervalMs?: number;
}

/**
 * The durable embedded event log (monolithic mode): every event is appended to one SQLite file and
 * handed out per consumer group with a lease; see embedded-store.ts for the tables.
 *
 * A group that subscribes for the first time starts at the BEGINNING of the log, so nothing published
 * before its first consumer started is lost (a new group sees history; it must be idempotent anyway).
 */
export function openEmbeddedEventBus(options: EmbeddedEventBusOptions): EventBus {
  return new EmbeddedEventBus(new EmbeddedLogStore(options.path), options);
}

class EmbeddedEventBus implements EventBus {
  private readonly appended = new EventEmitter().setMaxListeners(0);
  private readonly members = new Set<EmbeddedMember>();
  private closed = false;

  constructor(
    private readonly store: EmbeddedLogStore,
    private readonly options: EmbeddedEventBusOptions,
  ) {}

  async publish(events: NewEvent | readonly NewEvent[]): Promise<CloudEvent[]> {
    const list: readonly NewEvent[] = Array.isArray(events) ? events : [events as NewEvent];
    const envelopes = list.map((event) => buildEnvelope(event));
    if (envelopes.length > 0) {
      this.store.append(envelopes);
      this.appended.emit('appended');
    }
    return envelopes;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const limits = deliveryLimits(options);
    const member = new EmbeddedMember(this.store, options, limits, this.options, () => {
      this.members.delete(member);
      this.appended.off('appended', wake);
    });
    const wake = () => member.wake();
    this.members.add(member);
    this.appended.on('appended', wake);
    member.start();
    return member;
  }

  async *replay(options: { from: number; types?: readonly string[] }): AsyncIterable<DeliveredEvent> {
    const types = options.types ? JSON.stringify(options.types) : null;
    let from = options.from;
    for (;;) {
      const rows = this.store.read(from, types, 500);
      for (const row of rows) {
        const parsed = parseReceived(row.body);
        if ('event' in parsed) yield { event: parsed.event, position: row.position, deliveryCount: 1 };
        else
          this.options.logger?.warn(
            { position: row.position, problem: parsed.problem },
            'replay skipped an invalid event',
          );
      }
      if (rows.length < 500) return;
      from = rows[rows.length - 1]!.position + 1;
    }
  }

  async deadLetters(group: string): Promise<DeadLetter[]> {
    return this.store.deadLetters(group).map((row) => {
      const parsed = parseReceived(row.body);
      // An event dead-lettered for being invalid is returned as it was received.
      const event = ('event' in parsed ? parsed.event : parsed.raw) as CloudEvent;
      return { group, event, position: row.position, deliveries: row.deliveries, reason: row.reason };
    });
  }

  async lag(group: string): Promise<number> {
    return this.store.lag(group);
  }

  async ping(): Promise<boolean> {
    try {
      return !this.closed && this.store.ping();
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.members].map((member) => member.stop()));
    this.store.close();
  }
}

/** One member of a consumer group in this process. */
class EmbeddedMember implements Subscription {
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

  constructor(
    private readonly store: EmbeddedLogStore,
    private readonly options: SubscribeOptions,
    private readonly limits: DeliveryLimits,
    busOptions: EmbeddedEventBusOptions,
    private readonly onStopped: () => void,
  ) {
    this.typesJson = JSON.stringify(options.types);
    this.logger = busOptions.logger?.child({ group: options.group });
    this.pollIntervalMs = busOptions.pollIntervalMs ?? 50;
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
    const delivery: DeliveredEvent = {
      event: parsed.event,
      position: row.position,
      deliveryCount: row.deliveries,
    };
    this.inFlight += 1;
    const invocation = invokeHandler(this.options.handler, delivery, this.limits.ackTimeoutMs);
    const done = invocation.outcome.then((outcome) => {
      this.inFlight -= 1;
      this.running.delete(done);
      if (outcome.kind === 'ok') this.pendingAcks.push(ref);
      else if (outcome.kind === 'failed') this.settleFailure(ref, parsed.event, outcome.error);
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
