import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { openBlobStore, type BlobStore, type NewEvent } from '@marquee/platform';
import { backendAvailable, startS3rver, uniqueName } from '@marquee/platform/testing';
import { LakeWriter, startLakeWriter } from '../src/jobs/lake-writer.js';
import { LAKE_PREFIX, LakeMirror } from '../src/lake/lake-mirror.js';
import { LakeStore } from '../src/lake/lake-store.js';
import {
  cleanUpAfter,
  countWithDuckDb,
  logger,
  playback,
  setUpLake,
  telemetry,
  waitForDrain,
} from './lake-fixtures.js';

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

/** Rows and ids of the parts a replica lists for a partition (the files its queries read). */
async function countIdsOnce(lake: LakeStore, date: string): Promise<{ rows: number; ids: number }> {
  const files = await lake.files('telemetry', date);
  const list = files.map((f) => `'${f}'`).join(', ');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT count(*)::INTEGER AS rows, count(DISTINCT id)::INTEGER AS ids FROM read_parquet([${list}])`,
    );
    const [row] = reader.getRowObjectsJS() as { rows: number; ids: number }[];
    return { rows: row!.rows, ids: row!.ids };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe.skipIf(!(await backendAvailable('s3')))('the lake on S3 (s3rver)', () => {
  it('holds every part as a plain Parquet object, and replicas mirror the bucket', async () => {
    const s3 = await startS3rver();
    cleanUpAfter(() => s3.stop());
    const blobs = await openBlobStore({
      s3: { endpoint: s3.endpoint, ...s3.credentials, bucket: 'lake', prefix: uniqueName('t') },
    });
    cleanUpAfter(() => blobs.close());
    const { dir, bus, duck } = await setUpLake('marquee-lake-s3-');
    const mirror = new LakeMirror(blobs);
    const a = new LakeStore(join(dir, 'a'), duck, mirror);
    const b = new LakeStore(join(dir, 'b'), duck, mirror);

    // Replica a writes the events through the real writer.
    const writer = new LakeWriter({ lake: a, logger, flushEvents: 25, flushMs: 100 });
    const subscription = await startLakeWriter(bus, writer, { flushEvents: 25, flushMs: 100 });
    const events: NewEvent[] = [];
    for (let s = 0; s < 20; s++)
      events.push(...[0, 1, 2, 3, 4, 5].map((q) => telemetry(s, q)), playback(s, 'stopped', 60));
    await bus.publish(events);
    await waitForDrain(bus);
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
    expect(await countWithDuckDb(copy, 'telemetry')).toEqual({ rows: 120, ids: 120 });
    expect(await countWithDuckDb(copy, 'playback')).toEqual({ rows: 20, ids: 20 });

    // Replica b, starting empty, fetches them all.
    expect(await b.sync()).toEqual({ fetched: keys.length, dropped: 0 });
    expect(await countWithDuckDb(b.root, 'telemetry')).toEqual({ rows: 120, ids: 120 });

    // a compacts but crashes before deleting the parts it merged (put back here): b fetches the merged
    // part beside them, and lists only it; each event once.
    const [date] = await a.dates('telemetry');
    const parts = (await a.listed('telemetry', date!)).map((f) => f.slice(a.root.length + 1));
    const held = join(dir, 'held');
    for (const p of parts) {
      await mkdir(dirname(join(held, p)), { recursive: true });
      await copyFile(join(a.root, p), join(held, p));
    }
    const merged = await a.compact('telemetry', date!, 2);
    expect(merged).toBe(parts.length);
    for (const p of parts) await mirror.put(p, join(held, p));
    expect(await b.sync()).toEqual({ fetched: 1, dropped: 0 });
    expect(await b.files('telemetry', date!)).toHaveLength(1);
    expect(await countIdsOnce(b, date!)).toEqual({ rows: 120, ids: 120 });

    // a's next round merges the leftovers it fetches back: the bucket holds one part, b follows.
    expect(await a.sync()).toEqual({ fetched: parts.length, dropped: 0 });
    expect(await a.compact('telemetry', date!, 2)).toBe(parts.length + 1);
    expect(await b.sync()).toEqual({ fetched: 1, dropped: parts.length + 1 });
    expect(await localParts(b)).toEqual(await localParts(a));
    expect(await countWithDuckDb(b.root, 'telemetry')).toEqual({ rows: 120, ids: 120 });

    // Retention on a removes the partition from the bucket, and from b on its next sync.
    await a.expire('telemetry', [date!]);
    expect((await objects(blobs)).some((k) => k.startsWith(`${LAKE_PREFIX}telemetry/`))).toBe(false);
    await b.sync();
    expect(await b.allFiles('telemetry')).toEqual([]);
    expect(await b.allFiles('playback')).toHaveLength((await a.allFiles('playback')).length);
  }, 120_000);
});
