import type { CatalogueEventType, EventData } from '@marquee/contracts';

/** A CloudEvents 1.0 envelope (JSON structured mode) with Marquee's correlation extension. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  datacontenttype: 'application/json';
  subject?: string;
  /** Extension attribute: the request/correlation id the event was caused by. */
  correlationid?: string;
  data: T;
}

/** What a producer supplies; the bus fills id, time, specversion and correlation id. */
export interface NewEvent<T = unknown> {
  type: string;
  source: string;
  data: T;
  subject?: string;
  id?: string;
}

export interface DeliveredEvent<T = unknown> {
  event: CloudEvent<T>;
  /** Position in the stream: strictly increasing, usable with replay. */
  position: number;
  /** 1 on first delivery. */
  deliveryCount: number;
  /**
   * "Still working": gives the handler a full `ackTimeoutMs` again from now, so a long job keeps its
   * event while a dead member's event comes back within one (short) ack timeout. Call it well inside
   * the timeout (every ackTimeoutMs/3 or so) for as long as the handler runs.
   *
   * Resolves once the lease is extended (embedded: the claim row updated; NATS: the server answered
   * the in-progress ack). Rejects with `EventLeaseLostError` (code `events.lease_lost`) when this member
   * no longer holds the event (the timeout passed first, so it may be running elsewhere): stop the
   * work, whatever it would write is another delivery's to write. Any other rejection (bus unreachable)
   * leaves the lease as it was; a later call may still succeed. A no-op once the handler has settled,
   * and on replayed events (no lease).
   *
   * @example
   *   handler: async (delivery) => {
   *     const job = new AbortController();
   *     const keepAlive = setInterval(() => {
   *       delivery.extendLease().catch((err: unknown) => {
   *         if (err instanceof EventLeaseLostError) job.abort(err);
   *       });
   *     }, 20_000); // with ackTimeoutMs: 60_000
   *     try {
   *       await encode(delivery.event.data, job.signal);
   *     } finally {
   *       clearInterval(keepAlive);
   *     }
   *   }
   */
  extendLease(): Promise<void>;
}

/** The data of an event of type `T`: the catalogue's shape for a catalogue type, unknown otherwise. */
export type EventDataOf<T extends string> = T extends CatalogueEventType ? EventData<T> : unknown;

/**
 * An event of one of the types `T`, as a union discriminated by `type`: a handler subscribed to
 * `['media.encoded', 'media.encoding.failed']` narrows `event.data` with `switch (event.type)`.
 */
export type EventOfType<T extends string> = T extends unknown
  ? CloudEvent<EventDataOf<T>> & { type: T }
  : never;

/** A delivery of an event of one of the types `T`. */
export interface DeliveryOf<T extends string> extends Omit<DeliveredEvent, 'event'> {
  event: EventOfType<T>;
}

/** Handles deliveries of the types `T` (any type by default, with unknown data). */
export type EventHandler<T extends string = string> = (delivery: DeliveryOf<T>) => Promise<void>;

/**
 * What a group subscribes to. `types` decides the handler's event type: subscribing to catalogue
 * types gives their data typed, without casts. That is sound because the bus delivers only events
 * whose data passed the schema registered for their type, and the catalogue registers its own.
 */
export interface SubscribeOptions<T extends string = string> {
  /** Durable consumer group: each event goes to one member; every group sees every event. */
  group: string;
  /** Event types this group receives. */
  types: readonly T[];
  // A method signature (bivariant) on purpose: the adapters hold handlers of any types as
  // EventHandler<string>; `this: void` because they call it detached.
  handler(this: void, delivery: DeliveryOf<T>): Promise<void>;
  /** Handler calls in flight at once for this member (default 1). */
  concurrency?: number;
  /**
   * Redeliver an event whose handler has not finished within this time (default 30 s), counted from
   * the delivery or from the handler's last `extendLease()`.
   */
  ackTimeoutMs?: number;
  /**
   * After this many deliveries the event moves to the dead-letter stream (default 5). A handler failing
   * because a dependency is down (isDependencyOutage: `*.unavailable`, a connection error, Redis or
   * PostgreSQL not connected) does not use one: the member holds the event, extending its lease, and
   * runs the handler again with a capped exponential wait until the dependency is back.
   */
  maxDeliveries?: number;
}

export interface Subscription {
  /** Stops taking new events and waits for handlers in flight. */
  stop(): Promise<void>;
}

export interface DeadLetter {
  group: string;
  event: CloudEvent;
  position: number;
  deliveries: number;
  reason: string;
}

/**
 * The event stream. Delivery is at least once: the handler resolving acks the event; throwing, or not
 * finishing within ackTimeoutMs (unless it extends its lease), redelivers it (to any member of the
 * group) until maxDeliveries, then the event goes to the dead-letter stream. A failure of the outage
 * class (see SubscribeOptions.maxDeliveries) is retried in place and never dead-letters an event. Every consumer must be
 * idempotent (dedupe on event.id).
 *
 * @example
 *   await bus.publish({ type: 'media.uploaded', source: 'storage', data: { assetId } });
 *   const sub = await bus.subscribe({ group: 'encoder', types: ['media.uploaded'], handler });
 */
export interface EventBus {
  publish(events: NewEvent | readonly NewEvent[]): Promise<CloudEvent[]>;
  subscribe<T extends string>(options: SubscribeOptions<T>): Promise<Subscription>;
  /** Events from `from` (inclusive) onwards, in order, optionally only some types. */
  replay(options: { from: number; types?: readonly string[] }): AsyncIterable<DeliveredEvent>;
  deadLetters(group: string): Promise<DeadLetter[]>;
  /** Per group: events not yet acknowledged (for autoscaling on lag and the admin queue view). */
  lag(group: string): Promise<number>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
