import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { CloudEvent, EventOfType, NewEvent } from '@marquee/platform';
import { LakeStore, REPLACES_KEY } from '../src/lake/lake-store.js';
import { LakeQueries } from '../src/lake/queries.js';
import {
  lakeRow,
  partitionDate,
  type LakeEventType,
  type LakeRow,
  type LakeTable,
} from '../src/lake/tables.js';
import { countWithDuckDb, playback, setUpLake, telemetry } from './lake-fixtures.js';

const t0 = Date.parse('2026-12-05T20:00:00Z');

/** The fixtures' events as delivered: ids, times from 20:00 one UTC day on, three edges, some errors. */
function generated(sessions: number): CloudEvent[] {
  const events: CloudEvent[] = [];
  const cloud = (e: NewEvent, id: string, time: number, data: object = {}): CloudEvent => ({
    specversion: '1.0',
    id,
    source: 'test',
    type: e.type,
    time: new Date(time).toISOString(),
    datacontenttype: 'application/json',
    data: { ...(e.data as object), ...data },
  });
  for (let s = 0; s < sessions; s++) {
    const start = t0 + s * 300_000; // sessions 5 min apart: the later ones on the next day
    events.push(cloud(playback(s, 'started', 0), `s${s}-a`, start));
    const batches = 2 + (s % 5);
    for (let seq = 0; seq < batches; seq++) {
      events.push(
        cloud(telemetry(s, seq), `s${s}-${seq}`, start + (seq + 1) * 10_000, {
          edge: `edge-${s % 3}`,
          plan: s % 2 ? 'basic' : 'premium',
          bitrate: 1_000_000 + (s % 4) * 500_000,
          position: (seq + 1) * 10,
          errors: seq === 1 && s % 4 === 0 ? [{ kind: s % 8 ? 'network' : 'media', fatal: s % 8 === 0 }] : [],
        }),
      );
    }
    events.push(cloud(playback(s, 'stopped', batches * 10), `s${s}-b`, start + 200_000));
  }
  return events;
}

/** Writes events as parts of `size` rows per table and partition, as the lake writer would. */
async function writeParts(lake: LakeStore, events: CloudEvent[], size: number): Promise<void> {
  const groups = new Map<string, LakeRow[]>();
  for (const e of events) {
    const { table, row } = lakeRow(e as EventOfType<LakeEventType>);
    const key = `${table}|${partitionDate(row.time)}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [key, rows] of groups) {
    const [table, date] = key.split('|') as [LakeTable, string];
    for (let i = 0; i < rows.length; i += size) {
      await lake.write(table, date, rows.slice(i, i + size), String(i).padStart(8, '0'));
    }
  }
}

/**
 * Compacts a partition and puts the parts it merged back: the partition as a reader finds it between
 * compaction's rename and its deletes (or after a crash there).
 */
async function compactInWindow(lake: LakeStore, table: LakeTable, date: string): Promise<string[]> {
  const parts = await lake.listed(table, date);
  const aside = join(lake.root, '_aside');
  await mkdir(aside, { recursive: true });
  for (const p of parts) await copyFile(p, join(aside, basename(p)));
  expect(await lake.compact(table, date, 2)).toBe(parts.length);
  for (const p of parts) await copyFile(join(aside, basename(p)), p);
  return parts;
}

/** Plain DuckDB, as docs/analytics.md tells an outside engine: rows of files no compacted part replaces. */
async function countVisibleWithDuckDb(root: string, table: string): Promise<{ rows: number; ids: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const glob = `${root}/${table}/*/*.parquet`;
    const reader = await c.runAndReadAll(
      `WITH replaced AS (
         SELECT parse_dirpath(file_name) || '/' || unnest(from_json(decode(value), '["VARCHAR"]')) AS file
         FROM parquet_kv_metadata('${glob}') WHERE decode(key) = '${REPLACES_KEY}')
       SELECT count(*)::INTEGER AS rows, count(DISTINCT id)::INTEGER AS ids
       FROM read_parquet('${glob}', filename = true)
       WHERE filename NOT IN (SELECT file FROM replaced)`,
    );
    const [row] = reader.getRowObjectsJS() as { rows: number; ids: number }[];
    return { rows: row!.rows, ids: row!.ids };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** Floats summed in another order differ in their last bits: compare answers to 9 significant digits. */
function rounded(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v)),
  );
}

describe('the lake layout rule', () => {
  it('shows each id once between compaction’s rename and its deletes, and after a crash there', async () => {
    const { duck, root } = await setUpLake();
    const lake = new LakeStore(root, duck);
    const events = generated(12);
    await writeParts(lake, events, 10);
    const expected = await countWithDuckDb(root, 'telemetry');
    expect(expected.rows).toBe(expected.ids);
    const queries = new LakeQueries(lake, duck);
    const range = { from: new Date(t0 - 86_400_000), to: new Date(t0 + 2 * 86_400_000) };
    const clean = await queries.overview(range);

    const [date] = await lake.dates('telemetry');
    const parts = await compactInWindow(lake, 'telemetry', date!);
    // Every file is on disk: a glob over all of them sees the merged rows twice…
    expect((await countWithDuckDb(root, 'telemetry')).rows).toBeGreaterThan(expected.rows);
    // …but the parts readers list, and plain DuckDB honouring the replaced list, hold each id once.
    const visible = await lake.files('telemetry', date!);
    expect(visible).toHaveLength(1);
    expect(parts).not.toContain(visible[0]);
    expect(await countVisibleWithDuckDb(root, 'telemetry')).toEqual(expected);
    expect(await queries.overview(range)).toEqual(clean);
    // A part written after compaction's listing stays visible beside the merged one.
    await writeParts(lake, generated(14).slice(-8), 100);
    expect(await lake.files('telemetry', date!)).toHaveLength(1);

    // The next compaction merges the leftovers too (a crash's repair) and deletes them.
    const listed = (await lake.listed('telemetry', date!)).length;
    expect(await lake.compact('telemetry', date!, 2)).toBe(listed);
    expect(await readdir(lake.partition('telemetry', date!))).toHaveLength(1);
    const after = await countWithDuckDb(root, 'telemetry');
    expect(after.rows).toBe(after.ids);
  }, 60_000);

  it('asks again when a compaction deleted a listed part before DuckDB opened it', async () => {
    const { duck, root } = await setUpLake();
    class Racing extends LakeStore {
      raced = 0;
      override async allFiles(...args: Parameters<LakeStore['allFiles']>): Promise<string[]> {
        const files = await super.allFiles(...args);
        // The first listing still names a part a compaction has deleted since.
        return this.raced++ === 0
          ? [...files, join(root, 'telemetry', 'date=2026-12-05', '1-gone.parquet')]
          : files;
      }
    }
    const lake = new Racing(root, duck);
    await writeParts(lake, generated(3), 100);
    const o = await new LakeQueries(lake, duck).overview({
      from: new Date(t0 - 86_400_000),
      to: new Date(t0 + 86_400_000),
    });
    expect(o.totals.sessions).toBe(3);
    expect(lake.raced).toBe(2);
  });

  it('answers as the de-duplicating queries did, on a generated lake', async () => {
    const { duck, root } = await setUpLake();
    const lake = new LakeStore(root, duck);
    await writeParts(lake, generated(400), 90);
    // One partition compacted with its parts still there, the other one left in parts.
    const [first] = await lake.dates('telemetry');
    await compactInWindow(lake, 'telemetry', first!);
    await compactInWindow(lake, 'playback', first!);
    const now = new LakeQueries(lake, duck);
    const before = new LakeQueries(lake, duck, { dedupById: true });
    const week = { from: new Date(t0 - 86_400_000), to: new Date(t0 + 5 * 86_400_000) };
    const asks = [
      (q: LakeQueries) => q.overview(week),
      (q: LakeQueries) => q.overview({ from: new Date(t0), to: new Date(t0 + 6 * 3_600_000) }),
      (q: LakeQueries) => q.overview({ ...week, edge: 'edge-1' }),
      (q: LakeQueries) => q.overview({ ...week, plan: 'basic', titleId: 't2' }),
      (q: LakeQueries) => q.sessions(week, 50),
      (q: LakeQueries) => q.title('t1', week.from, week.to),
    ];
    for (const ask of asks) {
      const [a, b] = [await ask(now), await ask(before)];
      expect(rounded(a)).toEqual(rounded(b));
    }
    const o = await now.overview(week);
    expect(o.totals.sessions).toBe(400);
    expect(o.errors.length).toBe(2);
    expect(o.byDay).toHaveLength(3); // 400 sessions 5 min apart: 33 h
  }, 60_000);
});
