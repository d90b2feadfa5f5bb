/**
 * Analytics benchmark (issue 18 §4): generates telemetry batches and playback events for a week of
 * viewing, writes them into a fresh lake through the real lake writer (500-event parts, as in
 * production) and compaction, then times the admin console's questions with DuckDB (each asked
 * three times; the median is reported, and no answer cache is in the way). Goal: every question over
 * 1 million telemetry events within 1 s.
 *
 *   npm run bench:analytics                      (1,000,000 telemetry events)
 *   npm run bench:analytics -- --events 20000    (a quick run)
 *   npm run bench:analytics -- --write           (also writes the `## Analytics` section of docs/benchmarks.md)
 *   npm run bench:analytics -- --before          (also times the queries as they were before the lake's
 *                                                 layout rule — a dedup window, every column — alternating
 *                                                 with today's, question by question)
 *
 *   ANALYTICS_BENCH_LAKE=/var/tmp/lake-1m        writes the lake there once and keeps it; a later run with
 *                                                 the same --events only asks the questions (a quiet re-measure)
 *   ANALYTICS_BENCH_PROFILE=1                    prints DuckDB's EXPLAIN ANALYZE costliest operators of the
 *                                                 slowest question
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@marquee/core';
import type { CloudEvent } from '@marquee/platform';
import { Duck, LakeQueries, LakeStore, LakeWriter, type QoeFilter } from '@marquee/analytics/lake';
import { thousands, writeSection } from '../events/report.js';
import { profile } from './profile.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    write: { type: 'boolean', default: false },
    before: { type: 'boolean', default: false },
  },
});
const KEPT_LAKE = process.env.ANALYTICS_BENCH_LAKE;
const PROFILE = process.env.ANALYTICS_BENCH_PROFILE === '1';
const EVENTS = Number(values.events);
const BATCHES_PER_SESSION = 20;
const TITLES = 200;
const EDGES = ['edge-1', 'edge-2', 'edge-3', 'edge-4'];
const PLANS = ['basic', 'standard', 'premium'] as const;
const DAYS = 7;
const END = Date.parse('2026-12-06T00:00:00Z');
/** About how many sessions produce EVENTS batches (most play to their 20th batch). */
const sessionsNeeded = Math.ceil(EVENTS / (BATCHES_PER_SESSION * 0.6));

/** A small deterministic generator, so two runs write the same lake. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function event(type: string, time: number, data: unknown, id: string): CloudEvent {
  return {
    specversion: '1.0',
    id,
    source: 'bench',
    type,
    time: new Date(time).toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

/** One session's events: started, a telemetry batch and a heartbeat every 30 s, stopped. */
function* session(i: number, rnd: () => number): Generator<CloudEvent> {
  const sessionId = `bench-s${i}`;
  const title = Math.floor(rnd() ** 2 * TITLES);
  const common = {
    sessionId,
    accountId: `bench-a${i % 20_000}`,
    profileId: `bench-p${i % 30_000}`,
    titleId: `bench-t${title}`,
  };
  const duration = 1200 + (title % 7) * 600;
  // Sessions start in time order (as a live platform's events arrive), a few minutes of jitter apart.
  const start = END - DAYS * 86_400_000 + (i / sessionsNeeded) * DAYS * 86_400_000 + rnd() * 300_000;
  const edge = EDGES[Math.floor(rnd() ** 1.5 * EDGES.length)]!;
  const plan = PLANS[i % PLANS.length]!;
  yield event('playback.started', start, { ...common, position: 0, duration }, `${sessionId}-start`);
  let position = 0;
  for (let seq = 0; seq < BATCHES_PER_SESSION; seq++) {
    const time = start + (seq + 1) * 30_000;
    const stalled = rnd() < (edge === 'edge-4' ? 0.2 : 0.03);
    position += 30;
    yield event(
      'telemetry.reported',
      time,
      {
        ...common,
        plan,
        seq,
        ...(seq === 0 ? { startupMs: Math.round(250 + rnd() ** 3 * (edge === 'edge-4' ? 6000 : 2500)) } : {}),
        watchMs: 30_000,
        bitrate: [800_000, 2_400_000, 5_000_000][Math.floor(rnd() * 3)],
        position,
        stalls: stalled ? [{ position, durationMs: Math.round(200 + rnd() * 3000) }] : [],
        switches: rnd() < 0.1 ? [{ position, bitrate: 2_400_000, height: 720 }] : [],
        droppedFrames: Math.floor(rnd() * 3),
        errors: rnd() < 0.01 ? [{ kind: 'networkError', fatal: rnd() < 0.2, detail: 'fragLoadError' }] : [],
        edge,
      },
      `${sessionId}-${seq}`,
    );
    if (seq % 2 === 1)
      yield event('playback.heartbeat', time, { ...common, position, duration }, `${sessionId}-hb${seq}`);
    if (position >= duration || rnd() < 0.04) break;
  }
  yield event('playback.stopped', start + 3_600_000, { ...common, position, duration }, `${sessionId}-stop`);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** What writing the lake cost, kept beside a lake that is reused (ANALYTICS_BENCH_LAKE). */
interface Written {
  events: number;
  telemetry: number;
  all: number;
  writeSeconds: number;
  compactSeconds: number;
  parts: number;
}

/** Writes EVENTS telemetry events (and their playback events) through the lake writer, then compacts. */
async function writeLake(lake: LakeStore): Promise<Written> {
  const logger = createLogger({ level: 'warn' });
  const writer = new LakeWriter({ lake, logger, flushEvents: 500, flushMs: 60_000 });
  const rnd = random(18);
  let telemetry = 0;
  let all = 0;
  let position = 0;
  const writeStart = performance.now();
  let waiting: Promise<void>[] = [];
  for (let i = 0; telemetry < EVENTS; i++) {
    for (const e of session(i, rnd)) {
      if (e.type === 'telemetry.reported') {
        if (telemetry >= EVENTS) continue;
        telemetry++;
      }
      all++;
      waiting.push(
        writer.handle({
          event: e as never,
          position: ++position,
          deliveryCount: 1,
          extendLease: () => Promise.resolve(),
        }),
      );
      if (waiting.length >= 500) {
        await Promise.all(waiting);
        waiting = [];
      }
    }
    if (i % 5000 === 0) process.stdout.write(`\r  ${thousands(telemetry)} telemetry events written`);
  }
  await writer.flush();
  await Promise.all(waiting);
  const writeSeconds = (performance.now() - writeStart) / 1000;
  const compactStart = performance.now();
  let parts = 0;
  for (const table of ['telemetry', 'playback'] as const) {
    for (const date of await lake.dates(table)) parts += await lake.compact(table, date, 2);
  }
  const compactSeconds = (performance.now() - compactStart) / 1000;
  return { events: EVENTS, telemetry, all, writeSeconds, compactSeconds, parts };
}

/** The lake to ask: a kept one when ANALYTICS_BENCH_LAKE names a folder already written, else written now. */
async function openLake(
  duck: Duck,
  scratch: string,
): Promise<{ lake: LakeStore; written: Written; reused: boolean }> {
  const root = KEPT_LAKE ? resolve(KEPT_LAKE) : join(scratch, 'lake');
  const lake = new LakeStore(root, duck);
  const record = join(root, '_bench.json'); // '_': not a table folder, as `_tmp`
  if (KEPT_LAKE) {
    const kept = await readFile(record, 'utf8').then(
      (text) => JSON.parse(text) as Written,
      () => undefined,
    );
    if (kept && kept.events !== EVENTS) {
      throw new Error(
        `${root} holds a lake of ${kept.events} events, not ${EVENTS}: pass --events ${kept.events} or another folder`,
      );
    }
    if (kept) return { lake, written: kept, reused: true };
    if ((await lake.dates('telemetry')).length > 0)
      throw new Error(`${root} holds a lake this bench did not finish writing: remove it`);
  }
  const written = await writeLake(lake);
  if (KEPT_LAKE) {
    await mkdir(root, { recursive: true });
    await writeFile(record, JSON.stringify(written, null, 2) + '\n');
  }
  return { lake, written, reused: false };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-analytics-'));
  const duck = await Duck.open();
  try {
    const { lake, written, reused } = await openLake(duck, dir);
    const { telemetry, all, writeSeconds, compactSeconds, parts } = written;
    console.log(
      reused
        ? `  reusing the lake in ${lake.root}: ${thousands(all)} events (${thousands(telemetry)} telemetry), written earlier in ${writeSeconds.toFixed(1)} s`
        : `\n  wrote ${thousands(all)} events (${thousands(telemetry)} telemetry) in ${writeSeconds.toFixed(1)} s, compacted ${thousands(parts)} parts in ${compactSeconds.toFixed(1)} s`,
    );

    const queries = new LakeQueries(lake, duck);
    const old = new LakeQueries(lake, duck, { dedupById: true });
    const week: QoeFilter = { from: new Date(END - DAYS * 86_400_000), to: new Date(END) };
    const questions: [string, (q: LakeQueries) => Promise<unknown>][] = [
      [
        'overview, 7 days, all titles (series, histogram, errors, per edge/plan/title/day)',
        (q) => q.overview(week),
      ],
      ['overview, 7 days, one edge', (q) => q.overview({ ...week, edge: 'edge-4' })],
      ['overview, last 24 h', (q) => q.overview({ from: new Date(END - 86_400_000), to: new Date(END) })],
      ['latest 50 sessions, 7 days', (q) => q.sessions(week, 50)],
      ['one title: views, completion, retention, QoE', (q) => q.title('bench-t1', week.from, week.to)],
    ];
    const timed = async (ask: () => Promise<unknown>) => {
      const t = performance.now();
      await ask();
      return performance.now() - t;
    };
    const rows: string[] = [];
    let slowest: { name: string; ms: number; ask: () => Promise<unknown> } | undefined;
    for (const [name, ask] of questions) {
      const times: number[] = [];
      const before: number[] = [];
      // With --before, old and new take turns, so both see the same machine load.
      for (let run = 0; run < 3; run++) {
        times.push(await timed(() => ask(queries)));
        if (values.before) before.push(await timed(() => ask(old)));
      }
      const ms = median(times);
      const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
      console.log(
        `  ${name}: ${ms.toFixed(0)} ms (${list(times)})` +
          (values.before ? `; before the layout rule ${median(before).toFixed(0)} ms (${list(before)})` : ''),
      );
      rows.push(
        `| ${name} | ${ms.toFixed(0)} |${values.before ? ` ${median(before).toFixed(0)} |` : ''} ${ms <= 1000 ? 'yes' : 'no'} |`,
      );
      if (!slowest || ms > slowest.ms) slowest = { name, ms, ask: () => ask(queries) };
    }
    if (PROFILE && slowest) {
      const { statements, operators } = await profile(duck, slowest.ask);
      console.log(`\n  EXPLAIN ANALYZE of the slowest question, ${slowest.name}:`);
      for (const [i, s] of statements.entries())
        console.log(`    statement ${i + 1}: ${(s.seconds * 1000).toFixed(0)} ms  ${s.sql}`);
      console.log('  costliest operators:');
      for (const o of operators)
        console.log(
          `    ${(o.seconds * 1000).toFixed(0).padStart(6)} ms  #${o.statement} ${o.name} (${thousands(o.rows)} rows) ${o.detail}`,
        );
    }
    if (values.write) {
      const body = [
        `\`npm run bench:analytics -- --events ${EVENTS}\`: ${thousands(telemetry)} telemetry events (${thousands(all)} with the playback events) over ${DAYS} days, written through the lake writer in 500-event parts, then compacted. Machine: ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)} during the run.`,
        '',
        `Writing took ${writeSeconds.toFixed(1)} s, compaction ${compactSeconds.toFixed(1)} s.`,
        '',
        values.before
          ? '| question | median of 3 (ms) | before the layout rule (ms) | within 1 s |'
          : '| question | median of 3 (ms) | within 1 s |',
        values.before ? '| --- | --- | --- | --- |' : '| --- | --- | --- |',
        ...rows,
      ].join('\n');
      await writeSection(resolve(import.meta.dirname, '../../docs/benchmarks.md'), 'Analytics', body);
    }
  } finally {
    duck.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
