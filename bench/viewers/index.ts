/**
 * bench/viewers: the most concurrent simulated viewers this machine holds with start latency p95 ≤ 1 s,
 * rebuffer ratio ≤ 0.5 % and no errors, found by doubling then bisecting the viewer count, for
 *   (r) the reference: Debian's nginx (sendfile, 2 workers) serving the same encoded files, no API —
 *       the viewers play the static master playlist, which is the most any platform could hold here;
 *   (a) `npm start`'s layout: every service in one process;
 *   (b) the gateway in its own process (and the edges in another, so each service's CPU is its own).
 * The viewers are `marquee load`'s (packages/cli/src/load), in this process; the platform and nginx
 * run in their own. Writes the `## Viewers` section of docs/benchmarks.md and bench/viewers/results.json
 * (read by bench/viewers/model.ts for docs/capacity.md).
 *
 *   npm run bench:viewers   (VIEWERS_BENCH_LAYOUTS=r,a,b  VIEWERS_BENCH_TRIAL_S=30  VIEWERS_BENCH_START=25
 *                            VIEWERS_BENCH_MAX=4000  VIEWERS_BENCH_BISECT=2  VIEWERS_BENCH_TITLE_S=60
 *                            VIEWERS_BENCH_ROUNDS=1)
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'prettier';
import { parseLoadOptions } from '../../packages/cli/src/load/options.js';
import { cpuSecondsOf } from '../../packages/cli/src/load/process-cpu.js';
import type { LoadReport } from '../../packages/cli/src/load/report.js';
import { runLoad } from '../../packages/cli/src/load/run.js';
import { startNginx } from '../edge/nginx.js';
import { writeSection } from '../events/report.js';
import { encodeTitle, exportAsset, type EncodedTitle } from './media.js';
import { freePort, startPlatform, type RunningPlatform } from './platform.js';

type Layout = 'r' | 'a' | 'b';
const LAYOUT_NAMES: Record<Layout, string> = {
  r: '(r) nginx, static files, no API',
  a: '(a) all in one process (npm start)',
  b: '(b) gateway apart (edges apart too)',
};
const env = process.env;
const LAYOUTS = (env.VIEWERS_BENCH_LAYOUTS ?? 'r,a,b').split(',') as Layout[];
const TRIAL_S = Number(env.VIEWERS_BENCH_TRIAL_S ?? 30);
const START = Number(env.VIEWERS_BENCH_START ?? 25);
const MAX = Number(env.VIEWERS_BENCH_MAX ?? 4000);
const BISECT = Number(env.VIEWERS_BENCH_BISECT ?? 2);
const TITLE_S = Number(env.VIEWERS_BENCH_TITLE_S ?? 60);
const ROUNDS = Number(env.VIEWERS_BENCH_ROUNDS ?? 1);
const VIEWERS_PER_ACCOUNT = 4;
const LIMITS = { startP95Ms: 1000, rebufferRatio: 0.005 };

interface Trial {
  viewers: number;
  pass: boolean;
  why: string;
  report: LoadReport;
}

function verdict(r: LoadReport): { pass: boolean; why: string } {
  const problems: string[] = [];
  if (r.errorCount > 0) problems.push(`${r.errorCount} errors (${Object.keys(r.errors).join(', ')})`);
  if (r.starts.failed > 0 || r.starts.refused > 0)
    problems.push(`${r.starts.failed + r.starts.refused} starts lost`);
  if (r.signInFailures > 0) problems.push(`${r.signInFailures} sign-ins failed`);
  if (!(r.startLatencyMs.p95 <= LIMITS.startP95Ms)) problems.push(`start p95 ${r.startLatencyMs.p95} ms`);
  if (r.rebuffer.ratio > LIMITS.rebufferRatio)
    problems.push(`rebuffer ${(r.rebuffer.ratio * 100).toFixed(2)} %`);
  if (r.starts.playing === 0) problems.push('nothing played');
  return { pass: problems.length === 0, why: problems.join('; ') || 'ok' };
}

/** Doubling until a trial fails (or MAX), then BISECT halvings of the gap: the largest N that passed. */
async function search(layout: Layout, trial: (n: number) => Promise<Trial>): Promise<Trial[]> {
  const trials: Trial[] = [];
  const log = (t: Trial) => {
    trials.push(t);
    const r = t.report;
    console.log(
      `  ${LAYOUT_NAMES[layout]}: ${t.viewers} viewers → ${t.pass ? 'pass' : 'FAIL'} (${t.why}); start p95 ${r.startLatencyMs.p95} ms, rebuffer ${(r.rebuffer.ratio * 100).toFixed(3)} %, ${r.throughputMbps} Mbit/s, loader ${Math.round(r.cpu.loader.share * 100)} % of a core, load ${r.machine.loadavgEnd[0]}`,
    );
  };
  let pass = 0;
  let fail = 0;
  for (let n = START; n <= MAX; n *= 2) {
    const t = await trial(n);
    log(t);
    if (!t.pass) {
      fail = n;
      break;
    }
    pass = n;
  }
  for (let i = 0; i < BISECT && fail > 0 && fail - pass > Math.max(2, pass / 10); i++) {
    const n = Math.round((pass + fail) / 2);
    const t = await trial(n);
    log(t);
    if (t.pass) pass = n;
    else fail = n;
  }
  return trials;
}

const best = (trials: Trial[]) =>
  trials.filter((t) => t.pass).sort((x, y) => y.viewers - x.viewers)[0] ?? trials[0]!;

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-viewers-bench-'));
  const dataDir = join(dir, 'data');
  const secret = randomBytes(32).toString('hex');
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '', loadavg: loadavg() };
  console.log(
    `bench/viewers on ${machine.cpus} × ${machine.model}, load ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const results: Record<string, { rounds: Trial[][]; idle: Record<number, number> }> = {};
  let title: EncodedTitle;
  let masterPath: string;
  const staticRoot = join(dir, 'static');
  {
    console.log(`encoding a ${TITLE_S} s 720p title through the platform…`);
    const p = await startPlatform('one', dataDir, secret);
    try {
      title = await encodeTitle(dir, p.gateway, [...p.processes.keys()][0]!, TITLE_S);
      masterPath = await exportAsset(dataDir, title.assetId, staticRoot);
      // nginx's workers run as nobody: the temporary directory (0700) must let them read.
      await chmod(dir, 0o755);
    } finally {
      await p.stop();
    }
    console.log(`encoded ${title.renditions} (${title.encodeCpuSeconds.toFixed(1)} CPU s)`);
  }
  const base = (url: string, extra: string[] = []) =>
    parseLoadOptions([
      ...['--base', url, '--duration', `${TRIAL_S}s`, '--ramp', `${Math.round(TRIAL_S / 3)}s`, '--quiet'],
      ...['--plan', 'premium', '--viewers-per-account', String(VIEWERS_PER_ACCOUNT), '--seed', '7'],
      ...extra,
    ]);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? LAYOUTS : [...LAYOUTS].reverse();
      for (const layout of order) {
        let platform: RunningPlatform | undefined;
        let stopNginx: (() => Promise<void>) | undefined;
        let trial: (n: number) => Promise<Trial>;
        let idle: Record<number, number> = {};
        if (layout === 'r') {
          const port = await freePort();
          const nginx = await startNginx(join(dir, `nginx-${round}`), staticRoot, port);
          stopNginx = () => nginx.stop();
          const url = `http://127.0.0.1:${port}`;
          trial = async (n) => {
            const report = await runLoad({ ...base(url, ['--static', masterPath]), viewers: n });
            return { viewers: n, ...verdict(report), report };
          };
        } else {
          platform = await startPlatform(layout === 'a' ? 'one' : 'split', dataDir, secret);
          idle = await idleCpu([...platform.processes.keys()]);
          const gateway = platform.gateway;
          trial = async (n) => {
            // Every platform process by pid: the loader finds only those listening on ports it calls.
            const pids = [...platform!.processes.keys()];
            await settle(pids, idle);
            // Accounts of its own (signed up before the clock starts): a slot the trial before left held
            // (a stop that failed, a start answered after its client gave up) would refuse this trial's
            // starts for the lease's minute — every trial after a failed one failed so on 2026-12-07.
            const report = await runLoad({ ...base(gateway), viewers: n, pids }, { signInFirst: true });
            return { viewers: n, ...verdict(report), report };
          };
        }
        try {
          const trials = await search(layout, trial);
          (results[layout] ??= { rounds: [], idle }).rounds.push(trials);
        } finally {
          await platform?.stop();
          await stopNginx?.();
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const output = {
    date: new Date().toISOString(),
    machine: { ...machine, loadavgEnd: loadavg() },
    settings: {
      trialSeconds: TRIAL_S,
      start: START,
      max: MAX,
      bisect: BISECT,
      viewersPerAccount: VIEWERS_PER_ACCOUNT,
      limits: LIMITS,
    },
    title: title!,
    layouts: Object.fromEntries(
      Object.entries(results).map(([layout, r]) => {
        const maxima = r.rounds.map((trials) => best(trials));
        return [
          layout,
          {
            name: LAYOUT_NAMES[layout as Layout],
            maxViewers: maxima.map((t) => (t.pass ? t.viewers : 0)),
            atMax: maxima.map((t) => t.report),
            idleCpuPerSecond: r.idle,
            trials: r.rounds.map((trials) =>
              trials.map((t) => ({ viewers: t.viewers, pass: t.pass, why: t.why })),
            ),
          },
        ];
      }),
    ),
  };
  // Formatted as the repository's Prettier check expects, so a fresh run commits cleanly.
  const json = await format(JSON.stringify(output), { parser: 'json' });
  await writeFile(resolve(import.meta.dirname, 'results.json'), json);
  await writeSection(
    resolve(import.meta.dirname, '../../docs/benchmarks.md'),
    'Viewers',
    renderSection(output),
  );
  console.log('results in bench/viewers/results.json and docs/benchmarks.md (## Viewers)');
}

type Output = {
  date: string;
  machine: { cpus: number; model: string; loadavg: number[]; loadavgEnd: number[] };
  settings: { trialSeconds: number };
  title: EncodedTitle;
  layouts: Record<
    string,
    {
      name: string;
      maxViewers: number[];
      atMax: LoadReport[];
      /** CPU seconds per second each process used with no load (timers, probes, trainers), by pid. */
      idleCpuPerSecond: Record<number, number>;
      trials: { viewers: number; pass: boolean; why: string }[][];
    }
  >;
};

/**
 * Waits (up to a minute) until the platform is back to near idle after the trial before — below a
 * fifth of a core above its idle use over 2 s — so one trial's backlog (events, stops) is not the next trial's load.
 */
async function settle(pids: number[], idle: Record<number, number>): Promise<void> {
  const idleShare = pids.reduce((sum, pid) => sum + (idle[pid] ?? 0), 0);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const before = pids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
    await new Promise((r) => setTimeout(r, 2_000));
    const used = pids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0) - before;
    if (used / 2 < idleShare + 0.2) return;
  }
}

/** CPU each process uses with nobody watching, over 10 s after a 5 s settle. */
async function idleCpu(pids: number[]): Promise<Record<number, number>> {
  await new Promise((r) => setTimeout(r, 5_000));
  const before = pids.map((pid) => cpuSecondsOf(pid) ?? 0);
  await new Promise((r) => setTimeout(r, 10_000));
  return Object.fromEntries(pids.map((pid, i) => [pid, ((cpuSecondsOf(pid) ?? 0) - before[i]!) / 10]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

function renderSection(o: Output): string {
  const ref = median(o.layouts.r?.maxViewers ?? [0]);
  const lines = [
    '`npm run bench:viewers` — the most concurrent simulated viewers (`marquee load`: sign-in, home, title page, search,',
    'Play, hls.js-like ABR over a 720p/4 s CMAF ladder, segments paced at real time with 3 segments of buffer, heartbeats,',
    'seeks) with start latency p95 ≤ 1 s, rebuffer ratio ≤ 0.5 % and 0 errors; doubling, then bisecting the viewer count.',
    `Trials of ${o.settings.trialSeconds} s (a third of it ramp), 4 viewers per premium account (one profile each), each viewer`,
    `from its own 127.x.y.z address. Title: ${o.title.seconds} s, ladder ${o.title.renditions}, encoded by the platform.`,
    `Machine: ${o.machine.cpus} × ${o.machine.model}; load average ${o.machine.loadavg.map((l) => l.toFixed(1)).join(' ')} at the start,`,
    `${o.machine.loadavgEnd.map((l) => l.toFixed(1)).join(' ')} at the end (${o.date.slice(0, 16)}Z). The loader shares the 2 cores with what it loads.`,
    '',
    '| layout | max viewers (rounds) | vs (r) | start p95 | rebuffer | Mbit/s | SPS | loader CPU | CPU-seconds per viewer-hour above idle, by process |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const l of Object.values(o.layouts)) {
    const m = median(l.maxViewers);
    const at = l.atMax[0]!;
    const hours = (at.viewers * at.seconds) / 3600;
    const perProcess = at.cpu.processes
      .filter((p) => !/nginx: master/.test(p.name))
      .map((p) => {
        const name = p.name.replace(/^marquee\.mjs start ?(--target=)?/, '').replace(/^nginx: /, '') || 'all';
        const aboveIdle = p.cpuSeconds - (l.idleCpuPerSecond[p.pid] ?? 0) * at.seconds;
        return `${name}: ${(aboveIdle / hours).toFixed(1)} s`;
      })
      .join('; ');
    lines.push(
      `| ${l.name} | ${l.maxViewers.join(', ')} | ${ref > 0 ? (m / ref).toFixed(2) : '–'} | ${at.startLatencyMs.p95} ms | ${(at.rebuffer.ratio * 100).toFixed(2)} % | ${at.throughputMbps} | ${at.sps} | ${Math.round(at.cpu.loader.share * 100)} % | ${perProcess} |`,
    );
  }
  lines.push('', 'Every trial (viewers → verdict):', '');
  for (const l of Object.values(o.layouts))
    lines.push(
      `- ${l.name}: ${l.trials.map((round) => round.map((t) => `${t.viewers} ${t.pass ? '✓' : `✗ (${t.why})`}`).join(', ')).join(' | ')}`,
    );
  return lines.join('\n');
}

await main();
