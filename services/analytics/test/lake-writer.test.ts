import { describe, expect, it } from 'vitest';
import type { NewEvent } from '@marquee/platform';
import { LakeStore } from '../src/lake/lake-store.js';
import { LakeWriter, startLakeWriter } from '../src/jobs/lake-writer.js';
import { countWithDuckDb, logger, playback, setUpLake, telemetry, waitForDrain } from './lake-fixtures.js';

describe('lake writer', () => {
  it('writes every event once into date-partitioned Parquet, across a lost ack and a restart', async () => {
    const { bus, duck, root } = await setUpLake();
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
