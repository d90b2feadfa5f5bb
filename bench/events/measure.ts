import { EventEmitter } from 'node:events';
import { Type } from '@sinclair/typebox';
import { registerEventType, type EventBus, type NewEvent } from '@marquee/platform';

/** One adapter's figures, in events per second, and the bench process's CPU time per event end to end. */
export interface Figures {
  publish: number;
  consume: number;
  endToEnd: number;
  cpuMicrosPerEvent: number;
  /** Deliveries beyond one per event (at-least-once shows up here; 0 expected in a clean run). */
  duplicates: number;
}

export const BATCH = 500;
export const MEMBERS = 2;
export const CONCURRENCY = 256;

registerEventType('bench.tick', Type.Object({ n: Type.Integer(), title: Type.String() }));

export function benchEvent(n: number): NewEvent {
  return { type: 'bench.tick', source: 'bench', data: { n, title: `title-${n % 1000}` } };
}

const rate = (count: number, ms: number) => Math.round((count * 1000) / ms);

async function publishAll(bus: EventBus, count: number): Promise<void> {
  for (let start = 0; start < count; start += BATCH) {
    const batch = [];
    for (let n = start; n < Math.min(count, start + BATCH); n++) batch.push(benchEvent(n));
    await bus.publish(batch);
    // Publishers in a service are I/O-driven (requests), not a tight loop: let consumers run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Subscribes MEMBERS members of one group; resolves `done` once every event was handled once. */
async function consumeAll(openBus: () => Promise<EventBus>, group: string, count: number) {
  const seen = new Uint8Array(count);
  let handled = 0;
  let duplicates = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const subscriptions = [];
  for (let m = 0; m < MEMBERS; m++) {
    const bus = await openBus();
    subscriptions.push(
      await bus.subscribe({
        group,
        types: ['bench.tick'],
        concurrency: CONCURRENCY,
        handler: async ({ event }) => {
          const n = (event.data as { n: number }).n;
          if (seen[n]) duplicates += 1;
          else {
            seen[n] = 1;
            handled += 1;
            if (handled === count) finish();
          }
        },
      }),
    );
  }
  return { done, subscriptions, duplicates: () => duplicates };
}

/**
 * Three runs on fresh logs: publish N (no consumer), then consume them with a group of MEMBERS
 * members; and end to end, consumers running while the events are published.
 */
export async function measureBus(
  openFresh: () => Promise<() => Promise<EventBus>>,
  count: number,
): Promise<Figures> {
  const openBus = await openFresh();
  const publisher = await openBus();
  let t0 = performance.now();
  await publishAll(publisher, count);
  const publish = rate(count, performance.now() - t0);
  t0 = performance.now();
  const consumer = await consumeAll(openBus, 'bench', count);
  await consumer.done;
  const consume = rate(count, performance.now() - t0);
  await Promise.all(consumer.subscriptions.map((s) => s.stop()));

  const openBus2 = await openFresh();
  const publisher2 = await openBus2();
  const live = await consumeAll(openBus2, 'bench', count);
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await publishAll(publisher2, count);
  await live.done;
  const endToEnd = rate(count, performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  const cpuMicrosPerEvent = Math.round(((cpu.user + cpu.system) / count) * 10) / 10;
  await Promise.all(live.subscriptions.map((s) => s.stop()));
  return {
    publish,
    consume,
    endToEnd,
    cpuMicrosPerEvent,
    duplicates: consumer.duplicates() + live.duplicates(),
  };
}

/**
 * The ceiling: the same envelopes passed through a bare in-memory EventEmitter (no durability, no
 * validation, no acknowledgement). What the adapters add costs this much.
 */
export async function measureEmitter(count: number): Promise<number> {
  const emitter = new EventEmitter();
  let handled = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  emitter.on('event', (body: string) => {
    JSON.parse(body);
    if (++handled === count) finish();
  });
  const t0 = performance.now();
  for (let n = 0; n < count; n++) {
    emitter.emit('event', JSON.stringify({ id: String(n), ...benchEvent(n) }));
    if (n % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  return rate(count, performance.now() - t0);
}
