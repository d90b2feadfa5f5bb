import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import { openTestCache } from '@marquee/platform/testing';
import { startLakeMaintenance } from '../src/jobs/lake-maintenance.js';
import { Duck } from '../src/lake/duck.js';
import { LakeStore } from '../src/lake/lake-store.js';
import { lakeRow } from '../src/lake/tables.js';

const logger = createLogger({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const NOW = new Date('2026-12-06T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

/** A playback row as the lake writer makes it, at `time`. */
function row(id: string, time: string) {
  return lakeRow({
    id,
    type: 'playback.heartbeat',
    source: 'test',
    specversion: '1.0',
    time,
    data: { sessionId: 's1', accountId: 'a1', profileId: 'p1', titleId: 't1', position: 10, duration: 60 },
  } as Parameters<typeof lakeRow>[0]).row;
}

/** Plain DuckDB over the lake's files: the days an outside engine still finds. */
async function daysInLake(root: string): Promise<string[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT DISTINCT date::VARCHAR AS d FROM read_parquet('${root}/playback/*/*.parquet', hive_partitioning = true) ORDER BY d`,
    );
    return (reader.getRowObjectsJS() as { d: string }[]).map((r) => r.d);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('lake retention (LAKE_RETENTION_DAYS)', () => {
  it('removes the date partitions past the retention and keeps the rest whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-lake-retention-'));
    const duck = await Duck.open({ threads: 1 });
    const cache = await openTestCache('embedded');
    cleanups.push(async () => {
      await cache.close();
      duck.close();
      await rm(dir, { recursive: true, force: true });
    });
    const lake = new LakeStore(join(dir, 'lake'), duck);
    for (const age of [0, 29, 31, 400]) {
      const time = daysAgo(age);
      await lake.write('playback', time.slice(0, 10), [row(`e${age}`, time)], `part-${age}`);
    }
    const maintain = (retentionDays: number) =>
      startLakeMaintenance({
        lake,
        cache,
        logger,
        replica: 'r1',
        everyMs: 60_000,
        minFiles: 12,
        retentionDays,
        now: () => NOW,
      });

    const keepAll = maintain(0);
    await keepAll.runOnce();
    keepAll.stop();
    expect(await lake.dates('playback')).toHaveLength(4);

    const month = maintain(30);
    await month.runOnce();
    month.stop();
    expect(await lake.dates('playback')).toEqual([daysAgo(29).slice(0, 10), NOW.toISOString().slice(0, 10)]);
    expect(await daysInLake(lake.root)).toEqual([daysAgo(29).slice(0, 10), NOW.toISOString().slice(0, 10)]);
  });
});
