import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach } from 'vitest';
import { createLogger } from '@marquee/core';
import { openEventBus, type EventBus, type NewEvent } from '@marquee/platform';
import { LAKE_GROUP } from '../src/jobs/lake-writer.js';
import { Duck } from '../src/lake/duck.js';

/** What the lake tests share: a bus and DuckDB in a scratch folder, the events they publish, and plain DuckDB to count. */
export const logger = createLogger({ level: 'silent' });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
/** Runs after the current test, newest first. */
export function cleanUpAfter(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

/** An embedded bus and a DuckDB in a fresh folder, both gone after the test; `root` is where a lake may go. */
export async function setUpLake(prefix = 'marquee-lake-') {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const bus: EventBus = await openEventBus({ sqlitePath: join(dir, 'events.sqlite'), logger });
  const duck = await Duck.open({ threads: 2 });
  cleanUpAfter(async () => {
    await bus.close();
    duck.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, bus, duck, root: join(dir, 'lake') };
}

export function telemetry(session: number, seq: number): NewEvent {
  return {
    type: 'telemetry.reported',
    source: 'test',
    data: {
      seq,
      watchMs: 10_000,
      ...(seq === 0 ? { startupMs: 400 + session } : {}),
      stalls: seq % 3 === 0 ? [{ position: seq * 10, durationMs: 250 }] : [],
      switches: [{ position: seq * 10, bitrate: 1_500_000, height: 720 }],
      droppedFrames: seq,
      errors: [],
      edge: 'edge-1',
      sessionId: `s${session}`,
      accountId: 'a1',
      profileId: 'p1',
      titleId: `t${session % 3}`,
      plan: 'standard',
    },
  };
}

export function playback(
  session: number,
  type: 'started' | 'heartbeat' | 'stopped',
  position: number,
): NewEvent {
  return {
    type: `playback.${type}`,
    source: 'test',
    data: {
      sessionId: `s${session}`,
      accountId: 'a1',
      profileId: 'p1',
      titleId: `t${session % 3}`,
      position,
      duration: 120,
    },
  };
}

/** Until the lake writer's group has consumed everything published. */
export async function waitForDrain(bus: EventBus): Promise<void> {
  const deadline = Date.now() + 90_000;
  while ((await bus.lag(LAKE_GROUP)) > 0) {
    if (Date.now() > deadline) throw new Error('the lake writer did not drain');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Plain DuckDB, not Marquee's code: what an outside engine sees when it opens the lake by path. */
export async function countWithDuckDb(root: string, table: string): Promise<{ rows: number; ids: number }> {
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
