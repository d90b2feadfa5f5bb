import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { currentCorrelationId, DomainError, runWithContext } from '@marquee/core';
import type { Database } from '../db/port.js';
import { openTestDatabase } from '../testing/database.js';
import {
  enqueue,
  outboxMigrations,
  startOutboxRelay,
  type OutboxRelay,
  type OutboxTables,
} from './outbox.js';
import { EventLeaseLostError } from './errors.js';
import type { CloudEvent, DeliveredEvent, EventBus } from './port.js';
import { describeEachBus, record, registerTestTypes, sleep, waitFor } from './testing/harness.js';

/**
 * The events port's contract, run against the embedded SQLite log and NATS JetStream. Each test gets
 * its own log (a fresh SQLite file, or a fresh stream and subject prefix removed afterwards).
 */
const ACK_TIMEOUT_MS = 500;
const happened = (n: number) => ({ type: 'test.happened', source: 'contract-test', data: { n } });
const numbers = (events: { event: CloudEvent }[]) => events.map((d) => (d.event.data as { n: number }).n);

beforeAll(() => registerTestTypes());

await describeEachBus(
  (backend) => `events contract: ${backend}`,
  (t) => {
    it('delivers published CloudEvents to a subscriber, in order', async () => {
      const bus = await t.open();
      const published = await bus.publish([happened(1), happened(2), happened(3)]);
      expect(published[0]).toMatchObject({
        specversion: '1.0',
        source: 'contract-test',
        type: 'test.happened',
        datacontenttype: 'application/json',
        data: { n: 1 },
      });
      expect(published[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(published[0]!.time).toISOString()).toBe(published[0]!.time);
      const { deliveries } = await record(bus, { group: 'g', types: ['test.happened'] });
      await waitFor('3 deliveries', () => deliveries.length === 3);
      expect(deliveries.map((d) => d.event)).toEqual(published);
      expect(deliveries.map((d) => d.deliveryCount)).toEqual([1, 1, 1]);
      const positions = deliveries.map((d) => d.position);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(new Set(positions).size).toBe(3);
    });

    it('gives every group every event of its types, and only those', async () => {
      const bus = await t.open();
      const a = await record(bus, { group: 'a', types: ['test.happened'] });
      const b = await record(bus, { group: 'b', types: ['test.happened', 'test.other'] });
      await bus.publish([happened(1), { type: 'test.other', source: 't', data: { n: 2 } }, happened(3)]);
      await waitFor('group b to see 3', () => b.deliveries.length === 3);
      await waitFor('group a to see 2', () => a.deliveries.length === 2);
      await sleep(100);
      expect(numbers(a.deliveries)).toEqual([1, 3]);
      expect(numbers(b.deliveries)).toEqual([1, 2, 3]);
    });

    it('splits a group between members that join together, without duplicates', async () => {
      const bus = await t.open();
      const other = await t.harness.open();
      const slow = async () => sleep(5);
      // Joining at the same time: the first subscription of a group must not trip over the second.
      const [one, two] = await Promise.all([
        record(bus, { group: 'g', types: ['test.happened'], behaviour: slow }),
        record(other, { group: 'g', types: ['test.happened'], behaviour: slow }),
      ]);
      await bus.publish(Array.from({ length: 40 }, (_, i) => happened(i)));
      await waitFor('40 deliveries', () => one.deliveries.length + two.deliveries.length >= 40);
      await sleep(ACK_TIMEOUT_MS + 200);
      const all = [...numbers(one.deliveries), ...numbers(two.deliveries)];
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(one.deliveries.length).toBeGreaterThan(0);
      expect(two.deliveries.length).toBeGreaterThan(0);
    });

    it('acknowledges on resolve: lag counts pending events and drops to 0, nothing comes back', async () => {
      const bus = await t.open();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const { deliveries } = await record(bus, {
        group: 'g',
        types: ['test.happened'],
        ackTimeoutMs: 5_000,
        behaviour: () => gate,
      });
      await bus.publish([happened(1), happened(2), happened(3)]);
      await waitFor('the first delivery', () => deliveries.length === 1);
      expect(await bus.lag('g')).toBe(3);
      release();
      await waitFor('lag 0', async () => (await bus.lag('g')) === 0);
      await sleep(300);
      expect(numbers(deliveries)).toEqual([1, 2, 3]);
    });

    it('redelivers an event whose handler threw', async () => {
      const bus = await t.open();
      const { deliveries } = await record(bus, {
        group: 'g',
        types: ['test.happened'],
        ackTimeoutMs: ACK_TIMEOUT_MS,
        behaviour: async (d) => {
          if (d.deliveryCount === 1) throw new Error('transient');
        },
      });
      const [event] = await bus.publish(happened(1));
      await waitFor('the redelivery', () => deliveries.length === 2);
      expect(deliveries.map((d) => [d.event.id, d.deliveryCount])).toEqual([
        [event!.id, 1],
        [event!.id, 2],
      ]);
      await waitFor('lag 0', async () => (await bus.lag('g')) === 0);
    });

    it('redelivers an event whose handler hangs past ackTimeoutMs', async () => {
      const bus = await t.open();
      const { deliveries } = await record(bus, {
        group: 'g',
        types: ['test.happened'],
        ackTimeoutMs: ACK_TIMEOUT_MS,
        behaviour: (d) => (d.deliveryCount === 1 ? new Promise<void>(() => undefined) : Promise.resolve()),
      });
      const started = Date.now();
      await bus.publish(happened(1));
      await waitFor('the redelivery', () => deliveries.length === 2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 50);
      expect(deliveries[1]!.deliveryCount).toBe(2);
      expect(deliveries[1]!.event.id).toBe(deliveries[0]!.event.id);
    });

    it('keeps an event whose handler extends its lease past ackTimeoutMs: one delivery, acked at the end', async () => {
      const bus = await t.open();
      const ackTimeoutMs = 600;
      let extensions = 0;
      let finished = false;
      // Runs 3 ack timeouts, extending every third of one.
      const longJob = async (delivery: DeliveredEvent) => {
        const until = Date.now() + 3 * ackTimeoutMs;
        while (Date.now() < until) {
          await sleep(ackTimeoutMs / 3);
          await delivery.extendLease();
          extensions += 1;
        }
        finished = true;
      };
      // A second member in another "process" would take the event the moment its lease lapsed.
      const other = await t.harness.open();
      const members = await Promise.all(
        [bus, other].map((b) =>
          record(b, { group: 'g', types: ['test.happened'], ackTimeoutMs, behaviour: longJob }),
        ),
      );
      const delivered = () => members.flatMap((m) => m.deliveries);
      await bus.publish(happened(1));
      await waitFor('the long handler to finish', () => finished, 10_000);
      await waitFor('lag 0', async () => (await bus.lag('g')) === 0);
      await sleep(ackTimeoutMs + 300);
      expect(delivered().map((d) => d.deliveryCount)).toEqual([1]);
      expect(extensions).toBeGreaterThanOrEqual(8);
      expect(await bus.deadLetters('g')).toEqual([]);
      // Once the handler has settled there is nothing left to extend.
      await expect(delivered()[0]!.extendLease()).resolves.toBeUndefined();
    });

    it('refuses extendLease with events.lease_lost once the ack timeout has passed', async () => {
      const bus = await t.open();
      const refusals: unknown[] = [];
      const { deliveries } = await record(bus, {
        group: 'g',
        types: ['test.happened'],
        ackTimeoutMs: ACK_TIMEOUT_MS,
        behaviour: async (d) => {
          if (d.deliveryCount > 1) return;
          await sleep(ACK_TIMEOUT_MS + 200);
          // What a real handler does: stop, and let the delivery that now holds the event finish it.
          await d.extendLease().catch((err: unknown) => {
            refusals.push(err);
            throw err;
          });
        },
      });
      await bus.publish(happened(1));
      await waitFor('the refusal', () => refusals.length === 1);
      await waitFor('the redelivery', () => deliveries.length === 2);
      expect(refusals[0]).toBeInstanceOf(EventLeaseLostError);
      expect(refusals[0]).toMatchObject({ code: 'events.lease_lost' });
      expect((refusals[0] as Error).message).toMatch(/no longer held by this member of group g/);
      await waitFor('lag 0', async () => (await bus.lag('g')) === 0);
      expect(deliveries.map((d) => d.deliveryCount)).toEqual([1, 2]);
    });

    it('dead-letters a poison event after maxDeliveries with the last error, and stops delivering it', async () => {
      const bus = await t.open();
      const { deliveries } = await record(bus, {
        group: 'g',
        types: ['test.happened'],
        ackTimeoutMs: ACK_TIMEOUT_MS,
        maxDeliveries: 3,
        behaviour: async (d) => {
          if (d.event.data && (d.event.data as { n: number }).n === 13)
            throw new Error(`poisoned #${d.deliveryCount}`);
        },
      });
      const [poison] = await bus.publish([happened(13), happened(14)]);
      await waitFor('a dead letter', async () => (await bus.deadLetters('g')).length === 1);
      const [letter] = await bus.deadLetters('g');
      expect(letter).toMatchObject({ group: 'g', deliveries: 3, event: poison });
      expect(letter!.reason).toContain('poisoned #3');
      await sleep(ACK_TIMEOUT_MS + 300);
      expect(deliveries.filter((d) => d.event.id === poison!.id).map((d) => d.deliveryCount)).toEqual([
        1, 2, 3,
      ]);
      expect(numbers(deliveries).filter((n) => n === 14)).toEqual([14]);
      expect(await bus.lag('g')).toBe(0);
    });

    it('dead-letters an event whose last delivery is never acknowledged', async () => {
      const bus = await t.open();
      const { deliveries } = await record(bus, {
        group: 'g',
        types: ['test.happened'],
        ackTimeoutMs: 300,
        maxDeliveries: 2,
        behaviour: () => new Promise<void>(() => undefined),
        concurrency: 4,
      });
      await bus.publish(happened(1));
      await waitFor('a dead letter', async () => (await bus.deadLetters('g')).length === 1, 5_000);
      const [letter] = await bus.deadLetters('g');
      expect(letter!.reason).toMatch(/not acknowledged within 300 ms after 2 deliveries/);
      expect(deliveries.map((d) => d.deliveryCount)).toEqual([1, 2]);
    });

    it('rejects an invalid event at publish with a precise message, publishing nothing of the batch', async () => {
      const bus = await t.open();
      const attempt = (event: object) => bus.publish([happened(1), event as never]);
      await expect(attempt(happened('x' as never))).rejects.toThrow(
        /test\.happened has invalid data: \/data\/n: Expected integer/,
      );
      await expect(attempt({ type: 'test.unknown', source: 's', data: {} })).rejects.toThrow(
        'event type test.unknown has no registered data schema',
      );
      await expect(attempt({ type: 'Not A Type', source: 's', data: {} })).rejects.toThrow(
        /invalid envelope: \/type/,
      );
      await expect(attempt({ type: 'test.happened', source: '', data: { n: 1 } })).rejects.toThrow(
        /\/source/,
      );
      const error = await attempt(happened(1.5)).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('event.invalid');
      const replayed = [];
      for await (const d of bus.replay({ from: 1 })) replayed.push(d);
      expect(replayed).toEqual([]);
    });

    it('dead-letters an invalid event on receipt without calling the handler, and keeps consuming', async () => {
      const bus = await t.open();
      const { deliveries } = await record(bus, {
        group: 'g',
        types: ['test.happened'],
        ackTimeoutMs: ACK_TIMEOUT_MS,
      });
      await t.harness.injectRaw('test.happened', 'this is not json');
      await t.harness.injectRaw(
        'test.happened',
        JSON.stringify({ ...happened(1), specversion: '1.0', id: 'x', time: 'yesterday' }),
      );
      const [valid] = await bus.publish(happened(2));
      await waitFor('the valid event', () => deliveries.length === 1);
      await waitFor('two dead letters', async () => (await bus.deadLetters('g')).length === 2);
      const letters = await bus.deadLetters('g');
      expect(letters[0]!.reason).toMatch(/^invalid event: event body is not JSON/);
      expect(letters[1]!.reason).toMatch(/^invalid event: .*\/time/);
      expect(deliveries.map((d) => d.event)).toEqual([valid]);
    });

    it('replays from a position: the exact events, in order, optionally by type', async () => {
      const bus = await t.open();
      await bus.publish([happened(1), { type: 'test.other', source: 't', data: { n: 2 } }, happened(3)]);
      await bus.publish([happened(4), happened(5)]);
      const all = [];
      for await (const d of bus.replay({ from: 1 })) all.push(d);
      expect(numbers(all)).toEqual([1, 2, 3, 4, 5]);
      const from = all[2]!.position;
      const tail = [];
      for await (const d of bus.replay({ from })) tail.push(d);
      expect(tail.map((d) => d.event)).toEqual(all.slice(2).map((d) => d.event));
      const onlyHappened = [];
      for await (const d of bus.replay({ from: all[1]!.position, types: ['test.happened'] }))
        onlyHappened.push(d);
      expect(numbers(onlyHappened)).toEqual([3, 4, 5]);
      const beyond = [];
      for await (const d of bus.replay({ from: all[4]!.position + 1 })) beyond.push(d);
      expect(beyond).toEqual([]);
    });

    it('replays a log longer than one page, completely and in order', async () => {
      const bus = await t.open();
      await bus.publish(Array.from({ length: 1_200 }, (_, i) => happened(i)));
      const all = [];
      for await (const d of bus.replay({ from: 1 })) all.push(d);
      expect(numbers(all)).toEqual(Array.from({ length: 1_200 }, (_, i) => i));
    });

    it('carries the correlation id from the publisher context into the handler context', async () => {
      const bus = await t.open();
      const seen: (string | undefined)[] = [];
      await bus.subscribe({
        group: 'g',
        types: ['test.happened'],
        handler: async (d) => {
          seen.push(d.event.correlationid, currentCorrelationId());
        },
      });
      const [event] = await runWithContext({ correlationId: 'req-42' }, () => bus.publish(happened(1)));
      expect(event!.correlationid).toBe('req-42');
      await waitFor('the delivery', () => seen.length === 2);
      expect(seen).toEqual(['req-42', 'req-42']);
    });

    it('redelivers within one ack timeout of the last extendLease when the holder is SIGKILLed', async () => {
      const bus = await t.open();
      const fixture = fileURLToPath(new URL('./testing/hanging-consumer.fixture.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
        env: {
          ...process.env,
          ...t.harness.childEnv(),
          EVENTS_GROUP: 'g',
          EVENTS_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
          EVENTS_EXTEND_EVERY_MS: String(Math.round(ACK_TIMEOUT_MS / 3)),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      let extensions = 0;
      let lastExtendedAt = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        const extended = text.split('\n').filter((line) => line === 'extended').length;
        if (extended > 0) {
          extensions += extended;
          lastExtendedAt = Date.now();
        }
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await waitFor('the child to subscribe', () => output.includes('ready'), 20_000);
        const [event] = await bus.publish(happened(7));
        await waitFor('the child to start handling', () => output.includes(`handling ${event!.id}`), 10_000);
        // Another member waits in the group while the child holds the event for 2+ ack timeouts.
        const { deliveries } = await record(bus, {
          group: 'g',
          types: ['test.happened'],
          ackTimeoutMs: ACK_TIMEOUT_MS,
        });
        await waitFor('6 extensions', () => extensions >= 6, 10_000);
        expect(deliveries).toEqual([]);
        expect(output).not.toContain('lost');
        child.kill('SIGKILL');
        await exited;
        await waitFor('the redelivery', () => deliveries.length === 1, 10_000);
        const sinceLastExtension = Date.now() - lastExtendedAt;
        expect(sinceLastExtension).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 100);
        expect(sinceLastExtension).toBeLessThan(ACK_TIMEOUT_MS + 1_000);
        expect(deliveries[0]!.event).toEqual(event);
        expect(deliveries[0]!.deliveryCount).toBe(2);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  },
);

/** The transactional outbox over each bus, with the service database on SQLite and on PostgreSQL. */
interface OutboxTestTables extends OutboxTables {
  things: { id: string };
}
const thingsMigration = {
  '0001_things': {
    async up(db: Kysely<OutboxTestTables>) {
      await db.schema
        .createTable('things')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .execute();
    },
  },
};

for (const dbBackend of ['embedded', 'postgres'] as const) {
  await describeEachBus(
    (backend) => `events contract: outbox on ${dbBackend} → ${backend}`,
    (t) => {
      let bus: EventBus;
      let db: Database<OutboxTestTables>;
      const relays: OutboxRelay[] = [];
      const relay = (over: EventBus = bus) => {
        const started = startOutboxRelay({ db, bus: over, intervalMs: 50 });
        relays.push(started);
        return started;
      };
      const pendingRows = async () => (await db.write.selectFrom('outbox').select('id').execute()).length;
      const replayAll = async () => {
        const all = [];
        for await (const d of bus.replay({ from: 1 })) all.push(d.event);
        return all;
      };

      beforeEach(async () => {
        bus = await t.open();
        db = await openTestDatabase<OutboxTestTables>(dbBackend, { service: 'outbox' });
        await db.migrate({ ...outboxMigrations, ...thingsMigration });
      });
      afterEach(async () => {
        await Promise.all(relays.splice(0).map((r) => r.stop()));
        await db?.close();
      });

      it('publishes a committed event exactly once, with the id, time and correlation id of enqueue', async () => {
        const { deliveries } = await record(bus, { group: 'g', types: ['test.happened'] });
        const relayed = relay();
        const [event] = await runWithContext({ correlationId: 'req-9' }, () =>
          db.transaction(async (trx) => {
            await trx.insertInto('things').values({ id: 'thing-1' }).execute();
            return enqueue(trx, happened(1));
          }),
        );
        expect(event!.correlationid).toBe('req-9');
        await relayed.flush();
        await waitFor('the delivery', () => deliveries.length === 1);
        await sleep(200);
        expect(deliveries.map((d) => d.event)).toEqual([event]);
        expect(await pendingRows()).toBe(0);
      });

      it('publishes nothing when the transaction rolls back, and an invalid event rolls it back', async () => {
        const relayed = relay();
        const rollback = db.transaction(async (trx) => {
          await trx.insertInto('things').values({ id: 'thing-1' }).execute();
          await enqueue(trx, happened(1));
          throw new Error('business rule says no');
        });
        await expect(rollback).rejects.toThrow('business rule says no');
        const invalid = db.transaction(async (trx) => {
          await trx.insertInto('things').values({ id: 'thing-2' }).execute();
          await enqueue(trx, [happened(2), happened('two' as never)]);
        });
        await expect(invalid).rejects.toMatchObject({ code: 'event.invalid' });
        await relayed.flush();
        expect(await pendingRows()).toBe(0);
        expect(await db.write.selectFrom('things').selectAll().execute()).toEqual([]);
        expect(await replayAll()).toEqual([]);
      });

      it('republishes with the same id after a crash between publish and delete', async () => {
        const { deliveries } = await record(bus, { group: 'g', types: ['test.happened'] });
        const crashing = {
          publish: async (events: Parameters<EventBus['publish']>[0]) => {
            await bus.publish(events);
            throw new Error('relay crashed after publish');
          },
        } as unknown as EventBus;
        const [event] = await db.transaction((trx) => enqueue(trx, happened(1)));
        const first = relay(crashing);
        await expect(first.flush()).rejects.toThrow('relay crashed after publish');
        await first.stop();
        expect(await pendingRows()).toBe(1);
        await relay().flush();
        expect(await pendingRows()).toBe(0);
        const published = await replayAll();
        // Same id both times: consumers dedupe on it. JetStream drops the second copy itself (the
        // event id is its message id); the embedded log stores both.
        expect(new Set(published.map((e) => e.id))).toEqual(new Set([event!.id]));
        expect(published.length).toBe(t.backend === 'nats' ? 1 : 2);
        await waitFor('the deliveries', () => deliveries.length === published.length);
        expect(deliveries.every((d) => d.event.id === event!.id)).toBe(true);
      });
    },
    [dbBackend],
  );
}
