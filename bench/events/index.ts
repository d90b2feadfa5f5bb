/**
 * Events benchmark: publish, consume and end-to-end rates of the embedded SQLite log and of NATS
 * JetStream (when reachable), against references measured in the same run. Writes the `## Events`
 * section of docs/benchmarks.md.
 *
 *   npm run bench:events            (EVENTS_BENCH_N=20000 for a quick run)
 */
import { cpus, loadavg } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { openEventBus, type EventBus } from '@marquee/platform';
import { testUrls, backendAvailable, uniqueName } from '@marquee/platform/testing';
import { BATCH, CONCURRENCY, MEMBERS, measureBus, measureEmitter, type Figures } from './measure.js';
import { measureRawNats, measureRawSqlite } from './references.js';
import { thousands, writeSection } from './report.js';

const scale = Number(process.env.EVENTS_BENCH_N ?? 0);
const embeddedN = scale || 100_000;
const natsN = scale ? Math.min(scale, 50_000) : 50_000;
const cleanups: (() => Promise<void>)[] = [];

async function freshEmbedded(): Promise<() => Promise<EventBus>> {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-events-'));
  const buses: EventBus[] = [];
  cleanups.push(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await rm(dir, { recursive: true, force: true });
  });
  return async () => {
    const bus = await openEventBus({ sqlitePath: join(dir, 'events.db') });
    buses.push(bus);
    return bus;
  };
}

async function freshNats(): Promise<() => Promise<EventBus>> {
  const stream = uniqueName('BENCH').toUpperCase();
  const buses: EventBus[] = [];
  cleanups.push(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    const nc = await connect({ servers: testUrls.nats });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => false);
    await jsm.streams.delete(`${stream}_DLQ`).catch(() => false);
    await nc.close();
  });
  return async () => {
    const bus = await openEventBus({ natsUrl: testUrls.nats, stream, subjectPrefix: stream.toLowerCase() });
    buses.push(bus);
    return bus;
  };
}

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup();
}

const row = (name: string, f: Figures, reference: number, refName: string) =>
  `| ${name} | ${thousands(f.publish)} | ${thousands(f.consume)} | ${thousands(f.endToEnd)} | ${(f.endToEnd / reference).toFixed(2)}× ${refName} | ${f.cpuMicrosPerEvent} µs | ${f.duplicates} |`;

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ${process.platform}`;
const load = () => loadavg()[0]!.toFixed(1);
const loadBefore = load();
console.log(`machine: ${machine}`);

const emitter = await measureEmitter(embeddedN);
console.log(`reference in-memory EventEmitter: ${thousands(emitter)} events/s`);
const rawSqlite = await measureRawSqlite(embeddedN);
console.log(`reference raw better-sqlite3 inserts (batches of ${BATCH}): ${thousands(rawSqlite)} events/s`);
const embedded = await measureBus(freshEmbedded, embeddedN);
await cleanUp();
console.log(`embedded (${thousands(embeddedN)}):`, embedded);

const rows = [row(`embedded, ${thousands(embeddedN)} events`, embedded, rawSqlite, 'raw SQLite inserts')];
const references = [
  `- bare in-memory EventEmitter (JSON encode + parse, no durability): ${thousands(emitter)} events/s`,
  `- raw better-sqlite3 inserts of the same envelopes, ${BATCH} per transaction, WAL + synchronous=NORMAL: ${thousands(rawSqlite)} events/s`,
];
if (await backendAvailable('nats')) {
  const rawNats = await measureRawNats(natsN);
  console.log(
    `reference raw JetStream publish + pull (no envelope, no validation): ${thousands(rawNats)} events/s`,
  );
  const nats = await measureBus(freshNats, natsN);
  await cleanUp();
  console.log(`nats (${thousands(natsN)}):`, nats);
  rows.push(row(`NATS JetStream, ${thousands(natsN)} events`, nats, rawNats, 'raw JetStream'));
  references.push(
    `- raw JetStream: the same bodies published pipelined and pulled by one plain durable consumer with explicit acks, without envelope or validation: ${thousands(rawNats)} events/s end to end`,
  );
}

const body = `Reproduce: \`npm run bench:events\` (\`EVENTS_BENCH_N=20000\` for a quick run). Machine: ${machine};
1-minute load average ${loadBefore} before the run and ${load()} after (other work on the machine
shares the cores: compare the ratios and the CPU time per event, which contention moves less).
Publishing in batches of ${BATCH}; one consumer group of ${MEMBERS} members in the bench process,
concurrency ${CONCURRENCY} each, a handler that only records the event. Each row uses fresh logs:
publish N with no consumer, then consume them; end to end is a second fresh log with the consumers
running while N are published (first publish to last handled). Rates in events/s.

| adapter | publish | consume | end to end | end to end vs reference | bench CPU per event | duplicates |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

References, measured in the same run:
${references.join('\n')}

Why these references: raw better-sqlite3 inserts of the same bodies, in the same batches and with
the same pragmas, are the fastest anything can append to this file. A durable publish+consume
pipeline writes three rows per event (append the event, insert its claim, delete it on ack; the last
two are small), so a third of that rate is the order of magnitude to expect; beyond that come envelope
building, validation on both sides and handler bookkeeping. The in-memory EventEmitter is the ceiling without durability.
For NATS the reference is the official client used the obvious way (\`js.publish\` pipelined ${BATCH}
at a time, a durable pull consumer acking each message) without envelope or validation; the adapter
beats it because it publishes on core NATS with a shared reply inbox and its own ack tracking
(packages/platform/src/events/nats-publisher.ts). The NATS server's CPU is not in the per-event figure.
`;
await writeSection('docs/benchmarks.md', 'Events', body);
console.log('wrote the Events section of docs/benchmarks.md');
