/**
 * Recommendations benchmark. Each measurement runs in its own child process (peak RSS is per process):
 *   1. EASE training time and peak memory on synthetic matrices of RECS_BENCH_EASE_SIZES items
 *      (default 2000,10000), and the service's fallback (item-kNN) for the same catalog sizes;
 *   2. home-row latency from cache at a fixed 500 req/s: the real recommender on loopback (embedded
 *      backends, a users stand-in, fed through the event bus, every profile's page warmed), with a
 *      bare Fastify hello-world measured the same way in the same run as the reference.
 * Writes the `## Recommendations` section of docs/benchmarks.md.
 *
 *   npm run bench:recs     (RECS_BENCH_EASE_SIZES=2000 RECS_BENCH_SECONDS=5 for a quick run)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon, { type Result } from 'autocannon';
import { thousands, writeSection } from '../events/report.js';

const easeSizes = (process.env.RECS_BENCH_EASE_SIZES ?? '2000,10000').split(',').map(Number);
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

try {
  const loadBefore = load();
  const ease: TrainingFigures[] = [];
  const fallback: TrainingFigures[] = [];
  for (const n of easeSizes) {
    console.error(`EASE at ${n} items… (n³: about ${((n / 2000) ** 3).toFixed(0)}× the 2,000-item time)`);
    ease.push(await startRole<TrainingFigures>('ease', String(n)));
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
  const trainingRow = (f: TrainingFigures, what: string) =>
    `| ${thousands(f.n)} | ${what} | ${thousands(f.interactions)} | ${f.seconds.toFixed(1)} | ${gb(f.peakRssMb)} | ${gb(f.peakRssMb - f.baseRssMb)} |`;
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
      'Synthetic matrices with planted taste clusters (2 profiles per item, 20–60 ratings each, positives only).',
      'EASE is the closed-form model (dense n×n inverse, pure JavaScript); "service" is what the recommender',
      'trains for a catalog of that size with its default settings: EASE up to `RECS_EASE_MAX_ITEMS` (3,000),',
      'item-kNN above, plus popularity, trending, item-kNN neighbours and content similarity in both cases.',
      'Each row is its own process; peak RSS is the process maximum, growth its increase while training.',
      '',
      '| items | model | positives | seconds | peak RSS | growth |',
      '| --- | --- | --- | --- | --- | --- |',
      ...easeSizes.flatMap((_, i) => [
        trainingRow(ease[i]!, 'EASE'),
        trainingRow(fallback[i]!, `service (${fallback[i]!.model})`),
      ]),
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
