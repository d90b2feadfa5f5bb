import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { testUrls, uniqueName } from '@marquee/platform/testing';
import { BATCH, benchEvent } from './measure.js';

const rate = (count: number, ms: number) => Math.round((count * 1000) / ms);

function body(n: number): string {
  return JSON.stringify({
    specversion: '1.0',
    id: randomUUID(),
    time: new Date().toISOString(),
    ...benchEvent(n),
  });
}

/** Raw better-sqlite3: the same bodies appended in transactions of BATCH, with the log's pragmas. */
export async function measureRawSqlite(count: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-raw-'));
  try {
    const db = new BetterSqlite3(join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      'CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL)',
    );
    const insert = db.prepare('INSERT INTO events (id, type, body) VALUES (?, ?, ?)');
    const append = db.transaction((from: number, to: number) => {
      for (let n = from; n < to; n++) insert.run(String(n), 'bench.tick', body(n));
    });
    const t0 = performance.now();
    for (let start = 0; start < count; start += BATCH) {
      append.immediate(start, Math.min(count, start + BATCH));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = rate(count, performance.now() - t0);
    db.close();
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Raw JetStream: pipelined publishes of the same bodies and one plain durable pull consumer acking each. */
export async function measureRawNats(count: number): Promise<number> {
  const nc = await connect({ servers: testUrls.nats });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = uniqueName('RAW').toUpperCase();
  const subject = `${stream.toLowerCase()}.tick`;
  try {
    await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.File });
    await jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit });
    const messages = await (await js.consumers.get(stream, 'raw')).consume({ max_messages: 512 });
    const t0 = performance.now();
    const consumed = (async () => {
      let seen = 0;
      for await (const msg of messages) {
        JSON.parse(msg.string());
        msg.ack();
        if (++seen === count) break;
      }
    })();
    for (let start = 0; start < count; start += BATCH) {
      const batch = [];
      for (let n = start; n < Math.min(count, start + BATCH); n++) batch.push(js.publish(subject, body(n)));
      await Promise.all(batch);
    }
    await consumed;
    return rate(count, performance.now() - t0);
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
}
