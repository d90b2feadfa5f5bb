import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import { openEventBus, type EventBus, type NewEvent } from '@marquee/platform';
import { Duck } from '../src/lake/duck.js';
import { LakeStore } from '../src/lake/lake-store.js';
import { LAKE_GROUP, LakeWriter, startLakeWriter } from '../src/jobs/lake-writer.js';

const logger = createLogger({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-lake-'));
  const bus = await openEventBus({ sqlitePath: join(dir, 'events.sqlite'), logger });
  const duck = await Duck.open({ threads: 2 });
  cleanups.push(async () => {
    await bus.close();
    duck.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, bus, duck, root: join(dir, 'lake') };
}

function telemetry(session: number, seq: number): NewEvent {
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

function playback(session: number, type: 'started' | 'heartbeat' | 'stopped', position: number): NewEvent {
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

async function waitForDrain(bus: EventBus): Promise<void> {
  const deadline = Date.now() + 90_000;
  while ((await bus.lag(LAKE_GROUP)) > 0) {
    if (Date.now() > deadline) throw new Error('the lake writer did not drain');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Plain DuckDB, not Marquee's code: what an outside engine sees when it opens the lake by path. */
async function countWithDuckDb(root: string, table: string): Promise<{ rows: number; ids: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT count(*)::INTEGER AS rows, count(DISTINCT id)::INTEGER AS ids, min(date)::VARCHAR AS d
       FROM read_parquet('${root}/${table}/*/*.parquet', hive_partitioning = true)`,
    );
    const [row] = reader.getRowObjectsJS() as { rows: number; ids: number }[];
    return { rows: row!.rows, ids: row!.ids };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('lake writer', () => {
  it('writes every event once into date-partitioned Parquet, across a lost ack and a restart', async () => {
    const { bus, duck, root } = await setUp();
    const events: NewEvent[] = [];
    for (let s = 0; s < 20; s++) {
      events.push(playback(s, 'started', 0));
      for (let seq = 0; seq < 6; seq++) events.push(telemetry(s, seq));
      events.push(playback(s, 'stopped', 60));
    }
    // The first writer's first part becomes durable but its events are never acked (a crash between
    // the rename and the ack): they come back, to a writer that has forgotten them.
    class AckLost extends LakeStore {
      failures = 1;
      override async write(...args: Parameters<LakeStore['write']>): Promise<string> {
        const path = await super.write(...args);
        if (this.failures-- > 0) throw new Error('crashed after the part was durable');
        return path;
      }
    }
    const first = new LakeWriter({ lake: new AckLost(root, duck), logger, flushEvents: 50, flushMs: 200 });
    const firstSub = await startLakeWriter(bus, first, { flushEvents: 50, flushMs: 200 });
    await bus.publish(events.slice(0, 80));
    await new Promise((r) => setTimeout(r, 1_000));
    await firstSub.stop();

    const second = new LakeWriter({ lake: new LakeStore(root, duck), logger, flushEvents: 50, flushMs: 200 });
    const secondSub = await startLakeWriter(bus, second, { flushEvents: 50, flushMs: 200 });
    await bus.publish(events.slice(80));
    await waitForDrain(bus);
    await secondSub.stop();

    expect(await countWithDuckDb(root, 'telemetry')).toEqual({ rows: 120, ids: 120 });
    expect(await countWithDuckDb(root, 'playback')).toEqual({ rows: 40, ids: 40 });
    expect(second.dropped + first.dropped).toBeGreaterThan(0);

    // Compaction merges the small parts and keeps every row once.
    const lake = new LakeStore(root, duck);
    const [date] = await lake.dates('telemetry');
    const before = (await lake.files('telemetry', date!)).length;
    expect(before).toBeGreaterThan(1);
    expect(await lake.compact('telemetry', date!, 2)).toBe(before);
    expect(await lake.files('telemetry', date!)).toHaveLength(1);
    expect(await countWithDuckDb(root, 'telemetry')).toEqual({ rows: 120, ids: 120 });
  }, 120_000);
});
