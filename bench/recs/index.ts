/**
 * Recommendations benchmark. Each measurement runs in its own child process (peak RSS is per process):
 *   1. EASE training time and peak memory on synthetic matrices of RECS_BENCH_EASE_SIZES items
 *      (default 2000,10000,50000), alternating round by round with numpy's float32 LAPACK Cholesky
 *      inverse on 2 threads (bench/recs/numpy_ease.py, when python3 has numpy) as the reference,
 *      RECS_BENCH_ROUNDS rounds each (default 2); dense EASE stops at RECS_BENCH_DENSE_MAX (20,000:
 *      above, 4·n² bytes is past a 2 GiB container), where only the service's training runs: EASE on
 *      the most watched RECS_EASE_MAX_ITEMS and item-kNN for the rest, up to a million positives;
 *   2. home-row latency from cache at a fixed 500 req/s: the real recommender on loopback (embedded
 *      backends, a users stand-in, fed through the event bus, every profile's page warmed), with a
 *      bare Fastify hello-world measured the same way in the same run as the reference.
 * Writes the `## Recommendations` section of docs/benchmarks.md.
 *
 *   npm run bench:recs     (RECS_BENCH_EASE_SIZES=2000 RECS_BENCH_SECONDS=5 for a quick run)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon, { type Result } from 'autocannon';
import { thousands, writeSection } from '../events/report.js';

const easeSizes = (process.env.RECS_BENCH_EASE_SIZES ?? '2000,10000,50000').split(',').map(Number);
const rounds = Number(process.env.RECS_BENCH_ROUNDS ?? 2);
const denseMax = Number(process.env.RECS_BENCH_DENSE_MAX ?? 20_000);
const seconds = Number(process.env.RECS_BENCH_SECONDS ?? 10);
const rate = Number(process.env.RECS_BENCH_RATE ?? 500);
const children: ChildProcess[] = [];
const load = () => loadavg()[0]!.toFixed(1);

function startRole<T>(role: string, ...args: string[]): Promise<T> {
  const child = spawn(
    process.execPath,
    [resolve('packages/cli/bin/run-ts.mjs'), resolve(import.meta.dirname, 'servers.ts'), role, ...args],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolveLine, reject) => {
    child.once('exit', (code) => reject(new Error(`${role} ${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolveLine(JSON.parse(line) as T));
  });
}

interface Latency {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
}

/**
 * Open-loop load at a fixed rate (autocannon's overallRate) on one URL. One URL on purpose: with a
 * `requests` list autocannon overshoots the rate and adds tens of milliseconds to p99 even in front of a
 * bare Fastify route (measured here: p99 33–71 ms with 200 paths vs 5–17 ms with one).
 */
async function fixedRate(url: string, headers: Record<string, string>): Promise<Latency> {
  const options = { url, connections: 20, headers };
  await autocannon({ ...options, duration: 2 }); // warm-up: JIT, pools, the page cached
  const result: Result = await autocannon({ ...options, duration: seconds, overallRate: rate });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

interface TrainingFigures {
  n: number;
  interactions: number;
  seconds: number;
  peakRssMb: number;
  baseRssMb: number;
  model?: string;
}

interface NumpyFigures {
  n: number;
  seconds: number;
  peakRssMb: number;
  numpy: string;
  method: string;
}

/** numpy's EASE of n items, or undefined when python3 with numpy is not on this machine. */
async function numpyEase(n: number): Promise<NumpyFigures | undefined> {
  try {
    const { stdout } = await promisify(execFile)(
      'python3',
      [resolve(import.meta.dirname, 'numpy_ease.py'), String(n), '2'],
      { maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout) as NumpyFigures;
  } catch (err) {
    console.error(`numpy reference unavailable: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

const spread = (values: number[]) =>
  values.length === 0 ? 'n/a' : `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

try {
  const loadBefore = load();
  const dense: { n: number; ours: TrainingFigures[]; numpy: NumpyFigures[]; loads: string[] }[] = [];
  const fallback: TrainingFigures[] = [];
  for (const n of easeSizes) {
    if (n <= denseMax) {
      const row = { n, ours: [] as TrainingFigures[], numpy: [] as NumpyFigures[], loads: [] as string[] };
      for (let round = 0; round < rounds; round++) {
        // Alternate, so that both see the same share of whatever else runs on the machine.
        row.loads.push(load());
        console.error(`round ${round + 1}: numpy at ${n} items… (load ${load()})`);
        const reference = await numpyEase(n);
        if (reference) row.numpy.push(reference);
        console.error(`round ${round + 1}: EASE at ${n} items…`);
        row.ours.push(await startRole<TrainingFigures>('ease', String(n)));
      }
      dense.push(row);
    }
    console.error(`service training at ${n} titles…`);
    fallback.push(await startRole<TrainingFigures>('fallback', String(n)));
  }

  console.error('home-row latency…');
  const hello = await startRole<{ url: string }>('hello');
  const service = await startRole<{
    url: string;
    token: string;
    profiles: string[];
    titles: number;
    events: number;
    ingestSeconds: number;
    trainSeconds: number;
    model: string;
  }>('recommender');
  const headers = { 'x-marquee-service-token': service.token };
  const page = `${service.url}/api/profiles/${service.profiles[0]}/home`;
  const sample = await fetch(page, { headers });
  const sampleText = await sample.text();
  const samplePage = JSON.parse(sampleText) as { rows: { items: unknown[] }[] };
  const shape = `${samplePage.rows.length} rows, ${samplePage.rows.reduce((s, r) => s + r.items.length, 0)} items, ${thousands(Buffer.byteLength(sampleText))} bytes`;
  const bare = await fixedRate(hello.url, {});
  const barePage = await fixedRate(`${hello.url}/page`, {});
  const home = await fixedRate(page, headers);
  const recommenderProcess = children[children.length - 1]!;
  recommenderProcess.stdin!.write('train\n');
  await new Promise((r) => setTimeout(r, 500));
  const whileTraining = await fixedRate(page, headers);
  recommenderProcess.stdin!.write('stop\n');

  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ${process.platform}`;
  const gb = (mb: number) => (mb >= 1024 ? `${(mb / 1024).toFixed(2)} GiB` : `${thousands(mb)} MiB`);
  const trainingRow = (f: TrainingFigures) =>
    `| ${thousands(f.n)} | service: ${f.model} | ${thousands(f.interactions)} | ${f.seconds.toFixed(1)} | ${gb(f.peakRssMb)} | ${gb(f.peakRssMb - f.baseRssMb)} |`;
  const denseRow = (row: (typeof dense)[number]) => {
    const ours = row.ours.map((f) => f.seconds);
    const reference = row.numpy.map((f) => f.seconds);
    const ratio = reference.length > 0 ? (median(ours) / median(reference)).toFixed(2) : 'n/a';
    const oursPeak = Math.max(...row.ours.map((f) => f.peakRssMb));
    const numpyPeak = row.numpy.length > 0 ? gb(Math.max(...row.numpy.map((f) => f.peakRssMb))) : 'n/a';
    return `| ${thousands(row.n)} | ${spread(ours)} | ${gb(oursPeak)} | ${spread(reference)} | ${numpyPeak} | ${ratio} | ${row.loads.join(', ')} |`;
  };
  const numpyInfo = dense.flatMap((r) => r.numpy)[0];
  const latencyRow = (name: string, f: Latency) =>
    `| ${name} | ${thousands(f.rps)} | ${f.p50} | ${f.p99} | ${f.max} | ${f.failures} |`;
  await writeSection(
    resolve('docs/benchmarks.md'),
    'Recommendations',
    [
      `Reproduce: \`npm run bench:recs\` (\`RECS_BENCH_EASE_SIZES=2000 RECS_BENCH_SECONDS=5\` for a quick run). Machine: ${machine};`,
      `1-minute load average ${loadBefore} before the run and ${load()} after (other work shares the cores).`,
      '',
      '### Training',
      '',
      'Synthetic matrices with planted taste clusters (2 profiles per item, at most 32,000, 20–60 ratings each,',
      'positives only). EASE is the closed-form model: the blocked symmetric sweep of',
      '`services/recommender/src/app/models/dense/`, float32 WebAssembly SIMD on every CPU, in one shared',
      `buffer. The reference is numpy ${numpyInfo?.numpy ?? '(not installed here)'} on 2 threads: ${numpyInfo?.method ?? 'spotrf + spotri'},`,
      'then B = −P/diag(P), on a matrix of the same size (`bench/recs/numpy_ease.py`). Rounds alternate numpy and',
      'ours; seconds are the range over the rounds, the ratio is of the medians, peak RSS the process maximum',
      '(the synthetic ratings are collected before EASE starts, so it is what training needs; goal ≤ 600 MiB at 10,000).',
      '',
      '| items | EASE s | EASE peak RSS | numpy s | numpy peak RSS | EASE / numpy | load at each round |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...dense.map(denseRow),
      '',
      'What the service trains for a catalog of that size with its default settings: EASE on the most watched',
      '`RECS_EASE_MAX_ITEMS` (10,000) active titles, item-kNN for the rest, plus popularity, trending, item-kNN',
      'neighbours and content similarity. Each row is its own process; growth is the increase while training.',
      '',
      '| titles | model | positives | seconds | peak RSS | growth |',
      '| --- | --- | --- | --- | --- | --- |',
      ...fallback.map(trainingRow),
      '',
      '### Home rows',
      '',
      `The recommender with embedded backends and a users stand-in, on loopback in a child process; ${thousands(service.titles)}`,
      `titles, ${thousands(service.events)} playback events ingested through the event bus in ${service.ingestSeconds.toFixed(1)} s`,
      `(${thousands(Math.round(service.events / service.ingestSeconds))} events/s), trained in ${service.trainSeconds.toFixed(1)} s (${service.model}).`,
      `autocannon at a fixed ${rate} req/s over 20 connections for ${seconds} s after a 2 s warm-up (which caches the page);`,
      `one profile's page, ${shape} of JSON (every page hit costs the same: the memo, then the shared cache;`,
      'one URL because autocannon with a list of paths distorts the rate and the tail). Latencies in ms.',
      '',
      '| run | req/s | p50 | p99 | max | failed |',
      '| --- | --- | --- | --- | --- | --- |',
      latencyRow('bare Fastify hello-world', bare),
      latencyRow('bare Fastify, a home-sized page (~20 KB) from memory', barePage),
      latencyRow('GET /api/profiles/:id/home (cached)', home),
      latencyRow('the same while the models retrain back to back', whileTraining),
      '',
      `Goal: p99 ≤ 20 ms at 500 req/s from cache — measured ${home.p99} ms (${whileTraining.p99} ms during training).`,
      'Training runs on a worker thread (src/jobs/training-runner.ts); the serving thread only loads the',
      'facts from the store and swaps in the result, and the two threads share the machine’s two cores.',
    ].join('\n'),
  );
  console.error('written to docs/benchmarks.md');
} finally {
  for (const child of children) child.kill('SIGTERM');
}
