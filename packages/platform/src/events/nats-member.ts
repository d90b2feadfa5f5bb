import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@marquee/core';
import {
  afterHandlerFailure,
  errorMessage,
  unacknowledgedReason,
  type DeliveryLimits,
} from './delivery-policy.js';
import { parseReceived } from './envelope.js';
import { invokeHandler } from './handler-invocation.js';
import { OutageHolds } from './outage-holds.js';
import type { CloudEvent, SubscribeOptions, Subscription } from './port.js';

/** What the dead-letter stream stores (JSON), one message per event a group gave up on. */
export interface DeadLetterRecord {
  group: string;
  position: number;
  deliveries: number;
  reason: string;
  /** The event as received; not a valid CloudEvent when that is why it was dead-lettered. */
  event: unknown;
  at: string;
}

export interface NatsMemberOptions {
  consumer: Consumer;
  options: SubscribeOptions;
  limits: DeliveryLimits;
  /** Set when the server cannot filter to the group's types (nats-server < 2.10). */
  filterInClient: Set<string> | undefined;
  typeOf: (subject: string) => string;
  /** `+TERM <reason>` is understood from nats-server 2.11; older servers ignore it, so send a bare term. */
  termWithReason: boolean;
  deadLetter: (record: DeadLetterRecord) => Promise<void>;
  /** Resolves once the server has received everything sent before (a PING/PONG round trip). */
  flush: (timeoutMs: number) => Promise<void>;
  logger: Logger | undefined;
  onStopped: () => void;
}

/**
 * One member pulling from a group's durable consumer. It takes a message only when it has a free
 * handler slot (so messages do not sit in a local buffer while their ack timer runs), acks on success,
 * naks with a short delay on failure, and moves an event to the dead-letter stream before `term()`.
 */
export class NatsMember implements Subscription {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly running = new Set<Promise<void>>();
  private freeSlot: (() => void) | undefined;
  private inFlight = 0;
  private stopping: Promise<void> | undefined;
  private readonly holds: OutageHolds;
  /** Aborted at stop: events held back by an outage are given back instead of waited on. */
  private readonly stopSignal = new AbortController();

  constructor(private readonly m: NatsMemberOptions) {
    this.holds = new OutageHolds(m.options.group, m.logger);
  }

  async start(): Promise<void> {
    this.messages = await this.m.consumer.consume({ max_messages: this.m.limits.concurrency });
    this.loop = this.pull(this.messages);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // Messages taken but not started are not acknowledged: the server redelivers them after ack_wait.
      // Held events first: close() resolves only once the pull loop, waiting for a slot, moves on.
      this.stopSignal.abort();
      await this.messages?.close();
      this.freeSlot?.();
      await this.loop;
      await Promise.all([...this.running]);
      this.m.onStopped();
    })();
    return this.stopping;
  }

  private async pull(messages: ConsumerMessages): Promise<void> {
    const iterator = messages[Symbol.asyncIterator]();
    try {
      for (;;) {
        while (this.inFlight >= this.m.limits.concurrency && !this.stopping) {
          await new Promise<void>((resolve) => (this.freeSlot = resolve));
        }
        // Read on to the end: close() resolves only when the iterator has processed its own stop.
        if (this.stopping) return await drain(iterator);
        const next = await iterator.next();
        if (next.done) return;
        this.inFlight += 1;
        const done = this.handle(next.value)
          .catch((err) => this.m.logger?.error({ err }, 'event delivery failed'))
          .finally(() => {
            this.inFlight -= 1;
            this.running.delete(done);
            this.freeSlot?.();
          });
        this.running.add(done);
      }
    } catch (err) {
      if (!this.stopping) this.m.logger?.error({ err }, 'event consumer stopped');
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const { handler } = this.m.options;
    const { maxDeliveries, ackTimeoutMs } = this.m.limits;
    if (this.m.filterInClient && !this.m.filterInClient.has(this.m.typeOf(msg.subject))) {
      msg.ack();
      return;
    }
    const deliveries = msg.info.deliveryCount;
    const parsed = parseReceived(msg.string());
    if (!('event' in parsed)) {
      await this.giveUp(msg, deliveries, `invalid event: ${parsed.problem}`, parsed.raw);
      return;
    }
    if (deliveries > maxDeliveries) {
      // The extra delivery max_deliver allows: the last real one was never acknowledged.
      await this.giveUp(
        msg,
        deliveries - 1,
        unacknowledgedReason(deliveries - 1, ackTimeoutMs),
        parsed.event,
      );
      return;
    }
    const invocation = invokeHandler(
      handler,
      { event: parsed.event, position: msg.seq, deliveryCount: deliveries },
      {
        group: this.m.options.group,
        ackTimeoutMs,
        // The server resets ack_wait for any +WPI on the message, even from a member whose delivery
        // was superseded: it never says the lease was lost, so only the local timer can.
        renew: async () => {
          msg.working();
          await this.m.flush(Math.min(ackTimeoutMs, 5_000));
          return true;
        },
        holds: this.holds,
        release: this.stopSignal.signal,
      },
    );
    const outcome = await invocation.outcome;
    if (outcome.kind === 'ok') {
      msg.ack();
    } else if (outcome.kind === 'failed') {
      const decision = afterHandlerFailure(deliveries, maxDeliveries, outcome.error);
      const log = this.describe(parsed.event, msg, outcome.error);
      if (decision.kind === 'retry') {
        this.m.logger?.warn(log, 'event handler failed; will retry');
        msg.nak(decision.delayMs);
      } else {
        this.m.logger?.error(log, 'event dead-lettered');
        await this.giveUp(msg, deliveries, decision.reason, parsed.event);
      }
    } else if (outcome.kind === 'released') {
      // JetStream counts every redelivery against max_deliver, a nak's too: that is why an outage is
      // waited out here, holding the message (+WPI), and only a stopping member gives it back.
      msg.nak();
    } else {
      this.m.logger?.warn(this.describe(parsed.event, msg), 'event handler exceeded the ack timeout');
      // A late success still acknowledges; the server ignores it if the event went elsewhere meanwhile.
      void invocation.settled.then((late) => {
        if (late.kind === 'ok' && !this.stopping) msg.ack();
      });
    }
  }

  private describe(event: CloudEvent, msg: JsMsg, error?: string): Record<string, unknown> {
    return {
      eventId: event.id,
      type: event.type,
      position: msg.seq,
      deliveries: msg.info.deliveryCount,
      error,
    };
  }

  /** Records the event in the dead-letter stream, then stops its redelivery. If that fails it stays pending. */
  private async giveUp(msg: JsMsg, deliveries: number, reason: string, event: unknown): Promise<void> {
    try {
      await this.m.deadLetter({
        group: this.m.options.group,
        position: msg.seq,
        deliveries,
        reason,
        event,
        at: new Date().toISOString(),
      });
      if (this.m.termWithReason) msg.term(reason.slice(0, 200));
      else msg.term();
      this.m.logger?.warn({ position: msg.seq, reason }, 'event moved to the dead-letter stream');
    } catch (err) {
      this.m.logger?.error(
        { position: msg.seq, err: errorMessage(err) },
        'could not dead-letter the event; it will come back',
      );
      msg.nak(1_000);
    }
  }
}

/** Messages taken after stop are not started (nor acknowledged): the server redelivers them after ack_wait. */
async function drain(iterator: AsyncIterator<JsMsg>): Promise<void> {
  while (!(await iterator.next()).done);
}
