import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import {
  backendAvailable,
  openBlobStore,
  openEventBus,
  startS3rver,
  uniqueName,
  type BlobStore,
  type EventBus,
  type NewEvent,
} from '@marquee/platform';
import { LAKE_GROUP, LakeWriter, startLakeWriter } from '../src/jobs/lake-writer.js';
import { Duck } from '../src/lake/duck.js';
import { LAKE_PREFIX, LakeMirror } from '../src/lake/lake-mirror.js';
import { LakeStore } from '../src/lake/lake-store.js';

const logger = createLogger({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function telemetry(session: number, seq: number): NewEvent {
  return {
    type: 'telemetry.reported',
    source: 'test',
    data: {
      seq,
      watchMs: 10_000,
      stalls: [],
      switches: [],
      droppedFrames: 0,
      errors: [],
      sessionId: `s${session}`,
      accountId: 'a1',
      profileId: 'p1',
      titleId: 't1',
      plan: 'standard',
    },
  };
}

function stopped(session: number): NewEvent {
  return {
    type: 'playback.stopped',
    source: 'test',
    data: { sessionId: `s${session}`, accountId: 'a1', profileId: 'p1', titleId: 't1', position: 60 },
  };
}

/** Plain DuckDB over a folder laid out like the lake: rows and distinct ids of a table. */
async function count(root: string, table: string): Promise<{ rows: number; ids: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT count(*)::INTEGER AS rows, count(DISTINCT id)::INTEGER AS ids
       FROM read_parquet('${root}/${table}/*/*.parquet', hive_partitioning = true)`,
    );
    const [row] = reader.getRowObjectsJS() as { rows: number; ids: number }[];
    return { rows: row!.rows, ids: row!.ids };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

async function objects(blobs: BlobStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of blobs.list(LAKE_PREFIX)) keys.push(info.key);
  return keys;
}

async function localParts(lake: LakeStore): Promise<string[]> {
  const tables = ['playback', 'telemetry'] as const;
  const files = (await Promise.all(tables.map((t) => lake.allFiles(t)))).flat();
  return files.map((f) => f.slice(lake.root.length + 1)).sort();
}

describe.skipIf(!(await backendAvailable('s3')))('the lake on S3 (s3rver)', () => {
  it('holds every part as a plain Parquet object, and replicas mirror the bucket', async () => {
    const s3 = await startS3rver();
    cleanups.push(() => s3.stop());
    const blobs = await openBlobStore({
      s3: { endpoint: s3.endpoint, ...s3.credentials, bucket: 'lake', prefix: uniqueName('t') },
    });
    cleanups.push(() => blobs.close());
    const dir = await mkdtemp(join(tmpdir(), 'marquee-lake-s3-'));
    const bus: EventBus = await openEventBus({ sqlitePath: join(dir, 'events.sqlite'), logger });
    const duck = await Duck.open({ threads: 2 });
    cleanups.push(async () => {
      await bus.close();
      duck.close();
      await rm(dir, { recursive: true, force: true });
    });
    const mirror = new LakeMirror(blobs);
    const a = new LakeStore(join(dir, 'a'), duck, mirror);
    const b = new LakeStore(join(dir, 'b'), duck, mirror);

    // Replica a writes the events through the real writer.
    const writer = new LakeWriter({ lake: a, logger, flushEvents: 25, flushMs: 100 });
    const subscription = await startLakeWriter(bus, writer, { flushEvents: 25, flushMs: 100 });
    const events: NewEvent[] = [];
    for (let s = 0; s < 20; s++) events.push(...[0, 1, 2, 3, 4, 5].map((q) => telemetry(s, q)), stopped(s));
    await bus.publish(events);
    const deadline = Date.now() + 60_000;
    while ((await bus.lag(LAKE_GROUP)) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await subscription.stop();

    // The bucket holds the same parts as a's folder, as plain Parquet: an outside engine copying
    // them down (aws s3 sync) reads exactly the events sent.
    const keys = await objects(blobs);
    expect(keys.map((k) => k.slice(LAKE_PREFIX.length)).sort()).toEqual(await localParts(a));
    expect(keys.length).toBeGreaterThan(2);
    const copy = join(dir, 'copy');
    for (const key of keys) {
      const bytes = Buffer.concat(await (await blobs.get(key)).body.toArray());
      expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
      expect(bytes.subarray(-4).toString()).toBe('PAR1');
      const file = join(copy, key.slice(LAKE_PREFIX.length));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, bytes);
    }
    expect(await count(copy, 'telemetry')).toEqual({ rows: 120, ids: 120 });
    expect(await count(copy, 'playback')).toEqual({ rows: 20, ids: 20 });

    // Replica b, starting empty, fetches them all.
    expect(await b.sync()).toEqual({ fetched: keys.length, dropped: 0 });
    expect(await count(b.root, 'telemetry')).toEqual({ rows: 120, ids: 120 });

    // a compacts: the bucket holds the merged part only, and b follows on its next sync.
    const [date] = await a.dates('telemetry');
    const merged = await a.compact('telemetry', date!, 2);
    expect(merged).toBeGreaterThan(1);
    expect(await b.sync()).toEqual({ fetched: 1, dropped: merged });
    expect(await localParts(b)).toEqual(await localParts(a));
    expect(await count(b.root, 'telemetry')).toEqual({ rows: 120, ids: 120 });

    // Retention on a removes the partition from the bucket, and from b on its next sync.
    await a.expire('telemetry', [date!]);
    expect((await objects(blobs)).some((k) => k.startsWith(`${LAKE_PREFIX}telemetry/`))).toBe(false);
    await b.sync();
    expect(await b.allFiles('telemetry')).toEqual([]);
    expect(await b.allFiles('playback')).toHaveLength((await a.allFiles('playback')).length);
  }, 120_000);
});
