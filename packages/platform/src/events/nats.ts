import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { Logger } from '@marquee/core';
import { describeCause, safeEndpoint } from '../connection-errors.js';
import { EventBusUnavailableError } from './errors.js';
import { deliveryLimits } from './delivery-policy.js';
import { buildEnvelopes, parseReceived } from './envelope.js';
import { withoutLease } from './handler-invocation.js';
import { NatsMember, type DeadLetterRecord } from './nats-member.js';
import { PipelinedPublisher } from './nats-publisher.js';
import { ensureStream, isApiError, readStream } from './nats-streams.js';
import {
  STREAM_NAME_PATTERN,
  SUBJECT_PREFIX_PATTERN,
  consumerFilter,
  deadLetterStream,
  deadLetterSubject,
  eventSubject,
  serverAtLeast,
  streamSubjects,
  typeOfSubject,
} from './nats-subjects.js';
import type {
  CloudEvent,
  DeadLetter,
  DeliveredEvent,
  EventBus,
  NewEvent,
  SubscribeOptions,
  Subscription,
} from './port.js';

export interface NatsEventBusOptions {
  url: string;
  /** JetStream stream name (default MARQUEE); dead letters go to `<stream>_DLQ`. */
  stream?: string;
  /** Subjects are `<prefix>.<type>` (default marquee); dead letters `<prefix>_dlq.<group>`. */
  subjectPrefix?: string;
  logger?: Logger;
  /** How long opening may take before it fails (default 2 s). */
  connectTimeoutMs?: number;
}

/**
 * The event bus on NATS JetStream (microservices mode): one file-backed stream for events, one for
 * dead letters, and a durable pull consumer per group that all the group's members pull from.
 */
export async function openNatsEventBus(options: NatsEventBusOptions): Promise<EventBus> {
  const stream = options.stream ?? 'MARQUEE';
  const prefix = options.subjectPrefix ?? 'marquee';
  if (!STREAM_NAME_PATTERN.test(stream)) throw new RangeError(`NATS stream name "${stream}" is not valid`);
  if (!SUBJECT_PREFIX_PATTERN.test(prefix))
    throw new RangeError(`NATS subject prefix "${prefix}" is not valid`);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.url,
      timeout: options.connectTimeoutMs ?? 2_000,
      name: 'marquee-events',
      // Once connected, ride out server restarts instead of failing every publish for good.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
  } catch (err) {
    const endpoint = safeEndpoint(options.url);
    throw new EventBusUnavailableError(
      endpoint,
      `cannot connect to NATS at ${endpoint}: ${describeCause(err)}`,
    );
  }
  try {
    const jsm = await jetstreamManager(nc);
    const subjects = streamSubjects(prefix);
    await ensureStream(jsm, stream, subjects.events);
    await ensureStream(jsm, deadLetterStream(stream), subjects.deadLetters);
    return new NatsEventBus(nc, jsm, jetstream(nc), stream, prefix, options.logger);
  } catch (err) {
    await nc.close();
    const endpoint = safeEndpoint(options.url);
    throw new EventBusUnavailableError(
      endpoint,
      `NATS at ${endpoint} has no usable JetStream: ${describeCause(err)}`,
    );
  }
}

class NatsEventBus implements EventBus {
  private readonly members = new Set<NatsMember>();
  private readonly publisher: PipelinedPublisher;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly prefix: string,
    private readonly logger: Logger | undefined,
  ) {
    this.publisher = new PipelinedPublisher(nc);
  }

  async publish(events: NewEvent | readonly NewEvent[]): Promise<CloudEvent[]> {
    const envelopes = buildEnvelopes(events);
    // The event id is the JetStream message id: a republish within the stream's duplicate window
    // (2 min) is dropped by the server.
    await this.publisher.publish(
      envelopes.map((event) => ({
        subject: eventSubject(this.prefix, event.type),
        body: JSON.stringify(event),
        msgId: event.id,
      })),
    );
    return envelopes;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const limits = deliveryLimits(options);
    const filter = consumerFilter(this.prefix, options.types, this.nc.info?.version);
    const config: Partial<ConsumerConfig> = {
      durable_name: options.group,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(limits.ackTimeoutMs),
      // One delivery more than the handler gets: it arrives only when the last allowed delivery was
      // never acknowledged (hung handler, dead member) and moves the event to the dead letters,
      // where the server alone would drop it silently.
      max_deliver: limits.maxDeliveries + 1,
      deliver_policy: DeliverPolicy.All,
      ...(filter.filter_subject !== undefined ? { filter_subject: filter.filter_subject } : {}),
      ...(filter.filter_subjects !== undefined ? { filter_subjects: filter.filter_subjects } : {}),
    };
    await this.ensureConsumer(options.group, config);
    const consumer = await this.js.consumers.get(this.stream, options.group);
    const member = new NatsMember({
      consumer,
      options,
      limits,
      filterInClient: filter.filterInClient ? new Set(options.types) : undefined,
      typeOf: (subject) => typeOfSubject(this.prefix, subject),
      termWithReason: serverAtLeast(this.nc.info?.version, 2, 11),
      deadLetter: (record) => this.publishDeadLetter(record),
      flush: (timeoutMs) => this.flush(timeoutMs),
      logger: this.logger?.child({ group: options.group }),
      onStopped: () => this.members.delete(member),
    });
    this.members.add(member);
    await member.start();
    return member;
  }

  /** Creates the durable, or brings an existing one to this member's settings (last subscriber wins). */
  private async ensureConsumer(
    group: string,
    config: Partial<ConsumerConfig>,
    retried = false,
  ): Promise<void> {
    let existing: ConsumerInfo | undefined;
    try {
      existing = await this.jsm.consumers.info(this.stream, group);
    } catch (err) {
      if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    }
    if (!existing) {
      try {
        await this.jsm.consumers.add(this.stream, config);
        return;
      } catch (err) {
        // Another member created it between our info and add: look again, once.
        if (retried) throw err;
        return this.ensureConsumer(group, config, true);
      }
    }
    const { durable_name: _durable, deliver_policy: _policy, ...update } = config;
    const same = Object.entries(update).every(
      ([key, value]) =>
        JSON.stringify(existing.config[key as keyof ConsumerConfig]) === JSON.stringify(value),
    );
    if (!same) await this.jsm.consumers.update(this.stream, group, update);
  }

  /** The in-progress ack is fire-and-forget: a round trip behind it says the server has it. */
  private async flush(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`NATS did not answer within ${timeoutMs} ms; the lease may not be extended`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.nc.flush(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async publishDeadLetter(record: DeadLetterRecord): Promise<void> {
    await this.js.publish(deadLetterSubject(this.prefix, record.group), JSON.stringify(record), {
      msgID: `${record.group}:${record.position}`,
    });
  }

  async *replay(options: { from: number; types?: readonly string[] }): AsyncIterable<DeliveredEvent> {
    const wanted = options.types ? new Set(options.types) : undefined;
    const filter = options.types?.length === 1 ? eventSubject(this.prefix, options.types[0]!) : undefined;
    for await (const msg of readStream(this.js, this.jsm, this.stream, { from: options.from, filter })) {
      if (wanted && !wanted.has(typeOfSubject(this.prefix, msg.subject))) continue;
      const parsed = parseReceived(msg.string());
      if ('event' in parsed) yield withoutLease({ event: parsed.event, position: msg.seq, deliveryCount: 1 });
      else
        this.logger?.warn({ position: msg.seq, problem: parsed.problem }, 'replay skipped an invalid event');
    }
  }

  async deadLetters(group: string): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    const filter = deadLetterSubject(this.prefix, group);
    for await (const msg of readStream(this.js, this.jsm, deadLetterStream(this.stream), {
      from: 1,
      filter,
    })) {
      const record = msg.json<DeadLetterRecord>();
      letters.push({
        group: record.group,
        event: record.event as CloudEvent,
        position: record.position,
        deliveries: record.deliveries,
        reason: record.reason,
      });
    }
    return letters;
  }

  async lag(group: string): Promise<number> {
    try {
      const info = await this.jsm.consumers.info(this.stream, group);
      return info.num_pending + info.num_ack_pending;
    } catch (err) {
      if (isApiError(err, JetStreamApiCodes.ConsumerNotFound)) return 0;
      throw err;
    }
  }

  async ping(): Promise<boolean> {
    if (this.closed || this.nc.isClosed()) return false;
    try {
      await this.nc.flush();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.members].map((member) => member.stop()));
    this.publisher.close();
    await this.nc.drain();
  }
}
