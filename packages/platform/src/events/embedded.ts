import { EventEmitter } from 'node:events';
import type { Logger } from '@marquee/core';
import { describeCause } from '../connection-errors.js';
import { deliveryLimits } from './delivery-policy.js';
import { EmbeddedMember } from './embedded-member.js';
import { EmbeddedLogStore } from './embedded-store.js';
import { buildEnvelopes, parseReceived } from './envelope.js';
import { withoutLease } from './handler-invocation.js';
import { EventBusUnavailableError } from './errors.js';
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
  let store: EmbeddedLogStore;
  try {
    store = new EmbeddedLogStore(options.path);
  } catch (err) {
    throw new EventBusUnavailableError(
      options.path,
      `cannot open the event log ${options.path}: ${describeCause(err)}`,
    );
  }
  return new EmbeddedEventBus(store, options);
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
    const envelopes = buildEnvelopes(events);
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
    // Ends where the log ended when the replay started, like the NATS adapter.
    const end = this.store.lastPosition();
    let from = options.from;
    while (from <= end) {
      const rows = this.store.read(from, types, 500);
      for (const row of rows) {
        if (row.position > end) return;
        const parsed = parseReceived(row.body);
        if ('event' in parsed)
          yield withoutLease({ event: parsed.event, position: row.position, deliveryCount: 1 });
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
