import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent, EventOfType } from '@marquee/platform';
import { Duck } from '../src/lake/duck.js';
import { LakeStore } from '../src/lake/lake-store.js';
import { LakeQueries } from '../src/lake/queries.js';
import { lakeRow, partitionDate, type LakeEventType, type LakeRow } from '../src/lake/tables.js';

let dir: string;
let duck: Duck;
let queries: LakeQueries;
const t0 = new Date('2026-12-06T10:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000).toISOString();

function event(type: string, time: string, data: unknown, id: string): CloudEvent {
  return { specversion: '1.0', id, source: 'test', type, time, datacontenttype: 'application/json', data };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-queries-'));
  duck = await Duck.open({ threads: 2 });
  const lake = new LakeStore(join(dir, 'lake'), duck);
  queries = new LakeQueries(lake, duck);
  const events: CloudEvent[] = [];
  // Three sessions of title m1 (100 s long): one to the end, one to half, one to a tenth; s1 stalls
  // 1 s and errors fatally on edge-2, the others play cleanly on edge-1.
  const reach = { s1: 100, s2: 50, s3: 10 };
  for (const [i, [session, end]] of Object.entries(reach).entries()) {
    const base = i * 60;
    const common = { sessionId: session, accountId: 'a', profileId: `p${i}`, titleId: 'm1' };
    events.push(
      event('playback.started', at(base), { ...common, position: 0, duration: 100 }, `${session}-a`),
    );
    events.push(
      event('playback.stopped', at(base + end), { ...common, position: end, duration: 100 }, `${session}-b`),
    );
    events.push(
      event(
        'telemetry.reported',
        at(base + 5),
        {
          ...common,
          plan: i === 0 ? 'premium' : 'basic',
          seq: 0,
          startupMs: [400, 800, 1200][i],
          watchMs: end * 1000,
          bitrate: 2_000_000,
          stalls: session === 's1' ? [{ position: 30, durationMs: 1000 }] : [],
          switches: [],
          droppedFrames: 0,
          errors: session === 's1' ? [{ kind: 'media', fatal: true }] : [],
          edge: session === 's1' ? 'edge-2' : 'edge-1',
        },
        `${session}-t`,
      ),
    );
  }
  const byTable = new Map<string, LakeRow[]>();
  for (const e of events) {
    const mapped = lakeRow(e as EventOfType<LakeEventType>);
    byTable.set(mapped.table, [...(byTable.get(mapped.table) ?? []), mapped.row]);
  }
  for (const [table, rows] of byTable) {
    const [name, date] = [table as 'telemetry' | 'playback', partitionDate(rows[0]!.time)];
    await lake.write(name, date, rows.slice(0, 2), `part-${table}-1`);
    await lake.write(name, date, rows.slice(2), `part-${table}-2`);
    // Compaction's window, held open: the merged part is in, the parts it merged are still there
    // (as after a crash between its rename and its deletes). Queries count each event once.
    const parts = await lake.listed(name, date);
    const copies = await Promise.all(parts.map(async (p) => [p, await readFile(p)] as const));
    await lake.compact(name, date, 2);
    for (const [p, bytes] of copies) await writeFile(p, bytes);
  }
});

afterAll(async () => {
  duck.close();
  await rm(dir, { recursive: true, force: true });
});

const range = { from: new Date('2026-12-06T00:00:00Z'), to: new Date('2026-12-07T00:00:00Z') };

describe('lake queries', () => {
  it('computes start time, rebuffering, bitrate and errors, per edge and plan', async () => {
    const o = await queries.overview(range);
    expect(o.bucket).toBe('hour');
    expect(o.totals).toMatchObject({
      sessions: 3,
      starts: 3,
      startupP50Ms: 800,
      stalls: 1,
      avgBitrate: 2_000_000,
    });
    expect(o.totals.rebufferRatio).toBeCloseTo(1 / 161, 6);
    expect(o.totals.errorRate).toBeCloseTo(1 / 3, 6);
    expect(o.errors).toEqual([{ kind: 'media', fatal: true, count: 1, sessions: 1 }]);
    expect(o.byEdge.map((r) => [r.key, r.sessions])).toEqual([
      ['edge-1', 2],
      ['edge-2', 1],
    ]);
    expect(o.byPlan.map((r) => r.key).sort()).toEqual(['basic', 'premium']);
    expect(o.series).toHaveLength(1);
    expect(o.startupHistogram.map((b) => b.fromMs)).toEqual([250, 750, 1000]);

    const edge2 = await queries.overview({ ...range, edge: 'edge-2' });
    expect(edge2.totals).toMatchObject({ sessions: 1, startupP50Ms: 400 });
  });

  it('lists sessions with their start time', async () => {
    const sessions = await queries.sessions(range, 10);
    expect(sessions.map((s) => [s.sessionId, s.startupMs])).toEqual([
      ['s3', 1200],
      ['s2', 800],
      ['s1', 400],
    ]);
  });

  it('gives a title its views, completion and retention curve', async () => {
    const t = await queries.title('m1', range.from, range.to);
    expect(t).toMatchObject({ views: 3, viewers: 3, watchSeconds: 160 });
    expect(t.completionRate).toBeCloseTo(1 / 3, 6);
    expect(t.retention).toHaveLength(21);
    expect(t.retention[0]).toEqual({ at: 0, share: 1 });
    expect(t.retention[2]!.share).toBe(1); // at 10 %: s3 reached exactly 10 s
    expect(t.retention[3]!.share).toBeCloseTo(2 / 3, 6);
    expect(t.retention[10]!.share).toBeCloseTo(2 / 3, 6);
    expect(t.retention[20]!.share).toBeCloseTo(1 / 3, 6);
  });

  it('answers empty ranges without reading anything', async () => {
    const empty = await queries.overview({ from: new Date('2020-01-01'), to: new Date('2020-01-02') });
    expect(empty.totals.sessions).toBe(0);
    expect((await queries.title('m1', new Date('2020-01-01'), new Date('2020-01-02'))).views).toBe(0);
  });
});
