import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceName } from '@marquee/core';
import { startLocalCluster, type LocalCluster } from '../cluster/cluster.js';
import { ingest, login } from '../ingest.js';
import { auditWrites, type AuditReport, type UploadExpectation } from './audit.js';
import { renderChart, type ChartMark } from './chart.js';
import {
  chooseVictim,
  injectedReplica,
  scheduleFaults,
  seededRandom,
  type ExperimentPlan,
  type Fault,
} from './experiments.js';
import {
  formatTable,
  judge,
  shouldAbort,
  windowStats,
  type Goals,
  type Verdict,
  type WindowStats,
} from './verdict.js';
import { ViewerLoad } from './viewers.js';

/**
 * Runs one declared experiment on a local cluster under viewers: a control window, then the faults on
 * their schedule (aborting by itself when SPS diverges), a recovery wait, the audit for lost writes, the
 * verdict, and a chart with the fault marks. Every process and server it started is stopped at the end.
 */

export interface ChaosOptions extends ExperimentPlan {
  controlS: number;
  replicas: number;
  viewers: number;
  seed: number;
  outDir: string;
  goals: Goals;
  abort: { threshold: number; windowS: number; maxFailed: number };
  /** Upload a title during the experiment too (the audit checks it ends ready exactly once). */
  uploadDuring: boolean;
  log(line: string): void;
  /** An already running cluster (tests); else one is started and stopped here. */
  cluster?: LocalCluster;
}

export interface ChaosResult {
  experiment: string;
  aborted?: string;
  control: WindowStats;
  experimentWindow: WindowStats;
  verdict: Verdict;
  audit: AuditReport;
  marks: ChartMark[];
  /** freeze: seconds from SIGSTOP until every gateway had ejected the frozen replica. */
  ejectionS?: number;
  /** engine-down: seconds from the engine's return until SPS was back to 90 % of control. */
  recoveryS?: number;
  chart: string;
  report: string;
  table: string;
}

const ADMIN = { email: 'chaos-admin@marquee.test', password: 'chaos admin passphrase' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = (line: string) => options.log(line);
  const work = await mkdtemp(join(tmpdir(), 'marquee-chaos-'));
  const engines = options.name === 'engine-down' ? 'private' : 'machine';
  const cluster =
    options.cluster ??
    (await startLocalCluster({
      replicas: options.replicas,
      engines,
      admin: ADMIN,
      restartDelayMs: 1_000,
      ...(options.name === 'latency' || options.name === 'errors'
        ? { faultable: [injectedReplica(options)] }
        : {}),
    }));
  const owned = !options.cluster;
  let load: ViewerLoad | undefined;
  try {
    log(`cluster ${cluster.url}: waiting for every replica…`);
    await cluster.waitReady(180_000);
    const admin = await login(cluster.url, ADMIN.email, ADMIN.password);
    const clip = await makeClip(work, 'before');
    log('uploading a title before the experiment…');
    const title = await ingest({
      file: clip,
      title: 'Chaos clip',
      gateway: cluster.url,
      token: admin,
      pollMs: 500,
    });
    if (title.state !== 'ready') throw new Error(`the title did not encode: ${title.reason ?? title.state}`);
    const uploads: UploadExpectation[] = [{ titleId: title.titleId }];

    load = new ViewerLoad({ gateway: cluster.url, viewers: options.viewers, titleIds: [title.titleId] });
    await load.start();
    log(`${options.viewers} viewers watching; control window ${options.controlS} s`);
    await sleep(options.controlS * 1000);
    const experimentStart = Math.floor(load.elapsedSeconds());
    const control = windowStats(load.timeline(), 1, experimentStart);
    log(`control: ${control.sps.toFixed(2)} starts/s, ${control.failedStarts} failed`);

    // The abort window holds about 20 expected starts (at least its configured length), and only the
    // experiment's own seconds count: at a few starts per second a 10-second window is mostly noise.
    const abortWindowS = Math.max(options.abort.windowS, Math.ceil(20 / Math.max(control.sps, 0.05)));
    const checkAbort = () => {
      const now = Math.floor(load!.elapsedSeconds());
      if (now - experimentStart < abortWindowS) return undefined;
      return shouldAbort(load!.timeline(), now, control, { ...options.abort, windowS: abortWindowS });
    };
    const marks: ChartMark[] = [];
    const faults = scheduleFaults(options);
    const random = seededRandom(options.seed);
    const state: { ejectionS?: number; recoveryS?: number; engineBackAt?: number } = {};
    const pending: Promise<void>[] = [];
    let aborted: string | undefined;
    const abortController = new AbortController();
    const mark = (label: string) => {
      const t = Math.floor(load!.elapsedSeconds());
      marks.push({ t, label });
      log(`+${t - experimentStart} s ${label}`);
    };

    let upload: Promise<void> | undefined;
    if (options.uploadDuring) {
      upload = (async () => {
        await sleep((options.durationS / 3) * 1000);
        const during = await makeClip(work, 'during');
        const t = await ingest({
          file: during,
          title: 'Chaos clip (during)',
          gateway: cluster.url,
          token: admin,
          pollMs: 500,
        });
        uploads.push({ titleId: t.titleId });
        mark(`upload during the run: ${t.state}`);
      })().catch((err: Error) => mark(`upload during the run failed: ${err.message}`));
    }

    for (const fault of faults) {
      while (load.elapsedSeconds() - experimentStart < fault.at && !aborted) {
        await sleep(250);
        aborted = checkAbort();
      }
      if (aborted) break;
      pending.push(
        runFault(fault, cluster, {
          random,
          mark,
          admin,
          state,
          signal: abortController.signal,
          now: () => Math.floor(load!.elapsedSeconds()),
        }).catch((err: Error) => mark(`${fault.kind} failed: ${err.message}`)),
      );
      if (fault.kind === 'rolling-restart') await pending.at(-1);
    }
    while (!aborted && load.elapsedSeconds() - experimentStart < options.durationS) {
      await sleep(500);
      aborted = checkAbort();
    }
    if (aborted) {
      mark('ABORT');
      log(`aborted: ${aborted}`);
      abortController.abort();
    }
    await Promise.all(pending);
    const experimentEnd = Math.floor(load.elapsedSeconds());
    log('waiting for every replica to be ready again…');
    await cluster
      .waitReady(180_000)
      .catch((err: Error) => mark(`not all ready again: ${err.message.slice(0, 80)}`));
    await upload;
    await sleep(3_000);
    await load.stop();

    const timeline = load.timeline();
    const experimentWindow = windowStats(timeline, experimentStart, experimentEnd);
    if (state.engineBackAt !== undefined) {
      const back = timeline.find(
        (s) => s.t >= state.engineBackAt! && windowStats(timeline, s.t, s.t + 5).sps >= 0.9 * control.sps,
      );
      if (back) state.recoveryS = back.t - state.engineBackAt;
    }
    log('auditing the stores for lost writes…');
    const audit = await auditWrites(
      {
        databaseUrl: cluster.env.DATABASE_URL!,
        redisUrl: cluster.env.REDIS_URL!,
        redisPrefix: cluster.env.REDIS_PREFIX!,
        natsUrl: cluster.env.NATS_URL!,
        natsStream: cluster.env.NATS_STREAM!,
      },
      load.ledger,
      uploads,
      60_000,
    );
    const lost = audit.findings.reduce((a, f) => a + f.lost.length, 0);
    const verdict = judge(control, experimentWindow, lost, options.goals);
    if (aborted) verdict.passed = false;
    const table = formatTable(verdict);

    await mkdir(options.outDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const chart = join(options.outDir, `${options.name}-${stamp}.svg`);
    const report = join(options.outDir, `${options.name}-${stamp}.json`);
    const svg = renderChart({
      title: `marquee chaos --experiment ${options.name} (${options.replicas} replicas, ${options.viewers} viewers): ${verdict.passed ? 'PASSED' : 'FAILED'}`,
      timeline,
      controlEndS: experimentStart,
      marks,
    });
    await writeFile(chart, svg);
    await writeFile(join(options.outDir, 'latest.svg'), svg);
    const result: ChaosResult = {
      experiment: options.name,
      ...(aborted ? { aborted } : {}),
      control,
      experimentWindow,
      verdict,
      audit,
      marks,
      ...state,
      chart,
      report,
      table,
    };
    // What the admin console shows (the gateway reads MARQUEE_DATA_DIR/chaos/latest.json and .svg;
    // the default --out is data/chaos, the default data directory's): the verdict, not the timeline.
    await writeFile(
      join(options.outDir, 'latest.json'),
      JSON.stringify(
        {
          experiment: options.name,
          finishedAt: new Date().toISOString(),
          passed: verdict.passed,
          ...(aborted ? { aborted } : {}),
          replicas: options.replicas,
          viewers: options.viewers,
          durationS: options.durationS,
          seed: options.seed,
          control,
          experimentWindow,
          rows: verdict.rows,
          table,
          ...state,
          audit: audit.findings.map((f) => ({
            check: f.check,
            expected: f.expected,
            found: f.found,
            lost: f.lost.length,
          })),
          marks,
          chart: basename(chart),
          report: basename(report),
        },
        null,
        2,
      ),
    );
    await writeFile(
      report,
      JSON.stringify(
        {
          ...result,
          options: { ...options, log: undefined, cluster: undefined },
          timeline,
          failures: load.failures,
        },
        null,
        2,
      ),
    );
    return result;
  } finally {
    await load?.stop().catch(() => undefined);
    if (owned) await cluster.stop();
    await rm(work, { recursive: true, force: true });
  }
}

interface FaultContext {
  random: () => number;
  /** Whole seconds on the load's clock (the timeline's t). */
  now(): number;
  mark(label: string): void;
  admin: string;
  state: { ejectionS?: number; engineBackAt?: number };
  signal: AbortSignal;
}

/**
 * Up enough to count as the other replica a kill may leave: its process runs and answers /healthz.
 * (Not /readyz with a short timeout: on a busy machine that flaps and every kill would be skipped.)
 */
async function isUp(replica: { url: string; running(): boolean }): Promise<boolean> {
  if (!replica.running()) return false;
  try {
    const res = await fetch(`${replica.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Sleeps `ms`, waking early when the run aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function runFault(fault: Fault, cluster: LocalCluster, ctx: FaultContext): Promise<void> {
  switch (fault.kind) {
    case 'kill': {
      const replicas = await Promise.all(
        cluster.replicas().map(async (r) => ({ id: r.id, service: r.service, ready: await isUp(r) })),
      );
      const victim = chooseVictim(replicas, fault.service, ctx.random);
      if (!victim) return ctx.mark(`skip ${fault.service}: only one replica ready`);
      cluster.supervisor.signal(victim, 'SIGKILL');
      return ctx.mark(`kill -9 ${victim}`);
    }
    case 'freeze': {
      const victim = `${fault.service}-1`;
      const url = cluster.replica(victim).url;
      cluster.supervisor.signal(victim, 'SIGSTOP');
      ctx.mark(`SIGSTOP ${victim}`);
      const stoppedAt = Date.now();
      const watching = watchEjection(cluster, fault.service, url, ctx.admin, fault.seconds * 1000).then(
        (ms) => {
          if (ms !== undefined) {
            ctx.state.ejectionS = ms / 1000;
            ctx.mark(`${victim} ejected by every gateway after ${(ms / 1000).toFixed(1)} s`);
          }
        },
      );
      await abortableSleep(fault.seconds * 1000 - (Date.now() - stoppedAt), ctx.signal);
      cluster.supervisor.signal(victim, 'SIGCONT');
      ctx.mark(`SIGCONT ${victim}`);
      await watching;
      return;
    }
    case 'engine-down': {
      const engine = cluster.privateEngines?.engines[fault.engine];
      if (!engine) throw new Error('engine-down needs the private engines (--engines private)');
      await engine.stop('kill');
      ctx.mark(`${fault.engine} down`);
      await abortableSleep(fault.seconds * 1000, ctx.signal);
      await engine.start();
      ctx.state.engineBackAt = ctx.now();
      ctx.mark(`${fault.engine} back`);
      return;
    }
    case 'inject': {
      const proxy = cluster.faultProxy(fault.replica);
      proxy.setFaults({
        latencyMs: fault.latencyMs,
        latencyShare: fault.latencyShare,
        errorShare: fault.errorShare,
        errorStatus: 503,
      });
      ctx.mark(
        `inject into ${fault.replica}: ${fault.latencyShare * 100} % +${fault.latencyMs} ms, ${fault.errorShare * 100} % 503`,
      );
      await abortableSleep(fault.seconds * 1000, ctx.signal);
      proxy.setFaults(undefined);
      ctx.mark(`injection into ${fault.replica} ended`);
      return;
    }
    case 'rolling-restart': {
      // Every service (analytics was missing: 14 of the 16 replicas restarted), the front door last.
      const order: ServiceName[] = [
        'storage',
        'users',
        'streaming',
        'recommender',
        'encoder',
        'analytics',
        'edge',
        'gateway',
      ];
      for (const service of order) {
        for (const r of cluster.replicas().filter((x) => x.service === service)) {
          if (ctx.signal.aborted) return;
          await cluster.rollingRestart(r.id, 120_000);
          ctx.mark(`restarted ${r.id}`);
        }
      }
      return;
    }
  }
}

/** Milliseconds until every gateway reports `url` ejected from `service`'s upstream, or undefined. */
async function watchEjection(
  cluster: LocalCluster,
  service: ServiceName,
  url: string,
  admin: string,
  withinMs: number,
): Promise<number | undefined> {
  const started = Date.now();
  const gateways = cluster.replicas().filter((r) => r.service === 'gateway');
  while (Date.now() - started < withinMs) {
    const views = await Promise.all(
      gateways.map(async (g) => {
        try {
          const res = await fetch(`${g.url}/api/admin/health`, {
            headers: { authorization: `Bearer ${admin}` },
            // The health view waits for a readiness probe of every instance (1 s each, the frozen one
            // included): with a 1 s budget here it never answered while a replica was frozen.
            signal: AbortSignal.timeout(3_000),
          });
          const body = (await res.json()) as {
            upstreams: Record<string, { instances: { url: string; ejected: boolean }[] }>;
          };
          return body.upstreams[service]?.instances.find((i) => i.url === url)?.ejected === true;
        } catch {
          return false;
        }
      }),
    );
    if (views.every(Boolean)) return Date.now() - started;
    await sleep(200);
  }
  return undefined;
}

async function makeClip(dir: string, name: string): Promise<string> {
  const output = join(dir, `${name}.mp4`);
  await promisify(execFile)(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...[
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=24',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=48000',
      ],
      ...[
        '-t',
        '8',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-b:a',
        '64k',
        output,
      ],
    ],
    { timeout: 60_000 },
  );
  return output;
}
