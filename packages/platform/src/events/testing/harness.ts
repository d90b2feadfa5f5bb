import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Type } from '@sinclair/typebox';
import { afterEach, describe } from 'vitest';
import { backendAvailable, testUrls, uniqueName, type Backend } from '../../testing/backends.js';
import { registerEventType } from '../envelope.js';
import { openEventBus } from '../index.js';
import { deadLetterStream, eventSubject } from '../nats-subjects.js';
import type { DeliveredEvent, EventBus, SubscribeOptions, Subscription } from '../port.js';

export type BusBackend = 'embedded' | 'nats';

/** The bus adapters every events suite runs against. */
export const BUS_BACKENDS: readonly BusBackend[] = ['embedded', 'nats'];

/** The event types the contract suite and its child-process fixture publish. */
export function registerTestTypes(): void {
  registerEventType('test.happened', Type.Object({ n: Type.Integer() }));
  registerEventType('test.other', Type.Object({ n: Type.Integer() }));
}

/** Where one test's log lives: a fresh SQLite file, or a fresh NATS stream and subject prefix. */
export interface BusLocation {
  backend: BusBackend;
  sqlitePath?: string;
  natsUrl?: string;
  stream?: string;
  subjectPrefix?: string;
}

export interface BusHarness {
  location: BusLocation;
  /** Opens another bus on the same log (another "process" in all but name), closed at dispose. */
  open(): Promise<EventBus>;
  /** Appends a body straight to the log, bypassing every validation. */
  injectRaw(type: string, body: string): Promise<void>;
  /** Environment for a child process that opens the same log. */
  childEnv(): Record<string, string>;
  dispose(): Promise<void>;
}

export async function createHarness(backend: BusBackend): Promise<BusHarness> {
  const buses: EventBus[] = [];
  let location: BusLocation;
  let cleanup: () => Promise<void>;
  let sqlitePath = '';
  if (backend === 'embedded') {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-events-'));
    sqlitePath = join(dir, 'events.db');
    location = { backend, sqlitePath };
    cleanup = () => rm(dir, { recursive: true, force: true });
  } else {
    const stream = uniqueName('T').toUpperCase();
    location = { backend, natsUrl: testUrls.nats, stream, subjectPrefix: stream.toLowerCase() };
    cleanup = async () => {
      const nc = await connect({ servers: testUrls.nats });
      const jsm = await jetstreamManager(nc);
      for (const name of [stream, deadLetterStream(stream)])
        await jsm.streams.delete(name).catch(() => false);
      await nc.close();
    };
  }
  const open = async () => {
    const bus = await openEventBus(location);
    buses.push(bus);
    return bus;
  };
  return {
    location,
    open,
    async injectRaw(type, body) {
      if (backend === 'embedded') {
        const db = new BetterSqlite3(sqlitePath, { timeout: 5_000 });
        db.prepare('INSERT INTO events (id, type, body) VALUES (?, ?, ?)').run('injected', type, body);
        db.close();
        return;
      }
      const nc = await connect({ servers: location.natsUrl! });
      await jetstream(nc).publish(eventSubject(location.subjectPrefix!, type), body);
      await nc.close();
    },
    childEnv() {
      const env: Record<string, string> = { EVENTS_BACKEND: backend };
      if (location.sqlitePath) env.EVENTS_SQLITE_PATH = location.sqlitePath;
      if (location.natsUrl) env.EVENTS_NATS_URL = location.natsUrl;
      if (location.stream) env.EVENTS_STREAM = location.stream;
      if (location.subjectPrefix) env.EVENTS_SUBJECT_PREFIX = location.subjectPrefix;
      return env;
    },
    async dispose() {
      await Promise.all(buses.map((bus) => bus.close()));
      await cleanup();
    },
  };
}

/** One test's log on one backend: opened by the test, disposed after it. */
export interface BusUnderTest {
  readonly backend: BusBackend;
  /** Opens a fresh log and a bus on it (another bus on the same log: `harness.open()`). */
  open(): Promise<EventBus>;
  /** The log this test's `open()` made. */
  readonly harness: BusHarness;
}

/**
 * The backend matrix of the events suites: `describe(title(backend), body)` once per bus backend that
 * is up (and every backend in `needs`, e.g. the outbox's database), skipped as backendAvailable says
 * (failing on CI when a listed server is down). Each test's log is disposed after it.
 *
 * @example
 * await describeEachBus((backend) => `events contract: ${backend}`, (t) => {
 *   it('delivers', async () => {
 *     const bus = await t.open();
 *     …
 *   });
 * });
 */
export async function describeEachBus(
  title: (backend: BusBackend) => string,
  body: (t: BusUnderTest) => void,
  needs: readonly Backend[] = [],
): Promise<void> {
  for (const backend of BUS_BACKENDS) {
    let available = await backendAvailable(backend);
    for (const other of needs) available = available && (await backendAvailable(other));
    describe.runIf(available)(title(backend), () => {
      let harness: BusHarness | undefined;
      afterEach(async () => {
        await harness?.dispose();
        harness = undefined;
      });
      body({
        backend,
        async open() {
          if (harness) throw new Error('one log per test: open() it once');
          harness = await createHarness(backend);
          return harness.open();
        },
        get harness() {
          if (!harness) throw new Error('open() the log first');
          return harness;
        },
      });
    });
  }
}

/** Resolves when `predicate` holds, polling; rejects with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Subscribes with a handler that records every delivery before running `behaviour`. */
export async function record(
  bus: EventBus,
  options: Omit<SubscribeOptions, 'handler'> & { behaviour?: (delivery: DeliveredEvent) => Promise<void> },
): Promise<{ deliveries: DeliveredEvent[]; subscription: Subscription }> {
  const deliveries: DeliveredEvent[] = [];
  const { behaviour, ...rest } = options;
  const subscription = await bus.subscribe({
    ...rest,
    handler: async (delivery) => {
      deliveries.push(delivery);
      await behaviour?.(delivery);
    },
  });
  return { deliveries, subscription };
}
