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
}

export type EventHandler = (delivery: DeliveredEvent) => Promise<void>;

export interface SubscribeOptions {
  /** Durable consumer group: each event goes to one member; every group sees every event. */
  group: string;
  /** Event types this group receives. */
  types: readonly string[];
  handler: EventHandler;
  /** Handler calls in flight at once for this member (default 1). */
  concurrency?: number;
  /** Redeliver an event whose handler has not finished within this time (default 30 s). */
  ackTimeoutMs?: number;
  /** After this many deliveries the event moves to the dead-letter stream (default 5). */
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
 * finishing within ackTimeoutMs, redelivers it (to any member of the group) until maxDeliveries, then
 * the event goes to the dead-letter stream. Every consumer must be idempotent (dedupe on event.id).
 *
 * @example
 *   await bus.publish({ type: 'media.uploaded', source: 'storage', data: { assetId } });
 *   const sub = await bus.subscribe({ group: 'encoder', types: ['media.uploaded'], handler });
 */
export interface EventBus {
  publish(events: NewEvent | readonly NewEvent[]): Promise<CloudEvent[]>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Events from `from` (inclusive) onwards, in order, optionally only some types. */
  replay(options: { from: number; types?: readonly string[] }): AsyncIterable<DeliveredEvent>;
  deadLetters(group: string): Promise<DeadLetter[]>;
  /** Per group: events not yet acknowledged (for autoscaling on lag and the admin queue view). */
  lag(group: string): Promise<number>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
