/**
 * The capacity model of docs/capacity.md, computed from what bench/viewers measured on this machine
 * (bench/viewers/results.json) — never from hand-typed costs. For 10 thousand, 1 million and 10 million
 * concurrent viewers at an average 5 Mbit/s it answers: instances of each service, edges (by CPU and
 * by NIC), origin egress, and encoder cores per hour of new content. Every assumption is a named
 * constant below, printed with the answer.
 *
 *   npm run capacity:model            (writes the "## Model output" section of docs/capacity.md)
 *   … -- --hit-ratio 0.9              (the edges' byte hit ratio, when bench/origin has measured one)
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadReport } from '../../packages/cli/src/load/report.js';
import { writeSection } from '../events/report.js';

/** Assumptions: each is a choice, not a measurement; docs/capacity.md says why each was chosen. */
export const ASSUMPTIONS = {
  viewers: [10_000, 1_000_000, 10_000_000],
  averageBitrateMbps: 5,
  /** Run CPU-bound services at this share of their cores, leaving room for peaks and failover. */
  targetUtilisation: 0.6,
  /** Cores of one gateway / users+streaming instance (a Kubernetes pod of 2 vCPU). */
  coresPerInstance: 2,
  /** One edge server: cores and NIC line rate (Gbit/s), of which this share is usable. */
  edgeCores: 32,
  edgeNicGbps: 2 * 25,
  nicUsableShare: 0.8,
  /** The edges' byte hit ratio when bench/origin has not measured one (Open Connect reports ≥ 95 %). */
  defaultHitRatio: 0.95,
  /** A 5 Mbit/s ladder tops at 1080p: encoding costs scale with the pixels of the top rung. */
  encodePixelScale: (1920 * 1080) / (1280 * 720),
};

type Results = {
  date: string;
  machine: { cpus: number; model: string; loadavg: number[] };
  title: { seconds: number; encodeCpuSeconds: number; renditions: string };
  layouts: Record<
    string,
    { maxViewers: number[]; atMax: LoadReport[]; idleCpuPerSecond?: Record<number, number> }
  >;
};

/** Per-request and per-byte CPU costs of each service, from the split layout's run at its capacity. */
export function measuredCosts(results: Results) {
  const split = results.layouts.b?.atMax[0];
  if (!split) throw new Error('results.json has no run of layout (b): run npm run bench:viewers');
  // The load's own cost: what each process used above its idle rate (timers, probes, trainers).
  const idle = results.layouts.b?.idleCpuPerSecond ?? {};
  const byTarget = (pattern: RegExp) =>
    split.cpu.processes
      .filter((p) => pattern.test(p.name))
      .reduce((sum, p) => sum + Math.max(0, p.cpuSeconds - (idle[p.pid] ?? 0) * split.seconds), 0);
  const gateway = byTarget(/--target=gateway/);
  const edge = byTarget(/--target=edge/);
  const rest = byTarget(/--target=users/);
  const apiRequests = split.requests.api + split.requests.steering;
  const viewerSeconds = split.viewers * split.seconds;
  const reference = results.layouts.r?.atMax[0];
  return {
    source: `layout (b) at ${split.viewers} viewers for ${split.seconds} s`,
    apiRequestsPerViewerSecond: apiRequests / viewerSeconds,
    gatewayCpuPerApiRequest: gateway / apiRequests,
    servicesCpuPerApiRequest: rest / apiRequests,
    edgeCpuPerByte: edge / split.mediaBytes,
    edgeBytesPerCoreSecond: split.mediaBytes / edge,
    nginxBytesPerCoreSecond: reference
      ? reference.mediaBytes / reference.cpu.processes.reduce((s, p) => s + p.cpuSeconds, 0)
      : undefined,
    encodeCpuPerMediaSecond: results.title.encodeCpuSeconds / results.title.seconds,
  };
}

export function capacity(costs: ReturnType<typeof measuredCosts>, hitRatio: number) {
  const a = ASSUMPTIONS;
  return a.viewers.map((viewers) => {
    const egressGbps = (viewers * a.averageBitrateMbps) / 1000;
    const egressBytesPerSecond = (egressGbps * 1e9) / 8;
    const apiPerSecond = viewers * costs.apiRequestsPerViewerSecond;
    const instances = (cpuPerRequest: number) =>
      Math.max(2, Math.ceil((apiPerSecond * cpuPerRequest) / (a.coresPerInstance * a.targetUtilisation)));
    const edgeCores = (egressBytesPerSecond * costs.edgeCpuPerByte) / a.targetUtilisation;
    const edgesByCpu = Math.ceil(edgeCores / a.edgeCores);
    const edgesByNic = Math.ceil(egressGbps / (a.edgeNicGbps * a.nicUsableShare));
    return {
      viewers,
      egressGbps,
      apiPerSecond,
      gateways: instances(costs.gatewayCpuPerApiRequest),
      userStreaming: instances(costs.servicesCpuPerApiRequest),
      edges: Math.max(edgesByCpu, edgesByNic, 1),
      edgesByCpu,
      edgesByNic,
      originEgressGbps: egressGbps * (1 - hitRatio),
    };
  });
}

function main() {
  const { values } = parseArgs({ options: { 'hit-ratio': { type: 'string' }, results: { type: 'string' } } });
  const file = resolve(values.results ?? resolve(import.meta.dirname, 'results.json'));
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const costs = measuredCosts(results);
  const originResults = resolve(import.meta.dirname, '../origin/results.json');
  const measuredHit = existsSync(originResults)
    ? (JSON.parse(readFileSync(originResults, 'utf8')) as { marquee?: { byteHitRatio?: number } }).marquee
        ?.byteHitRatio
    : undefined;
  const hitRatio = values['hit-ratio']
    ? Number(values['hit-ratio'])
    : (measuredHit ?? ASSUMPTIONS.defaultHitRatio);
  const hitSource = values['hit-ratio']
    ? 'given'
    : measuredHit !== undefined
      ? 'measured by bench/origin'
      : 'assumed';
  const rows = capacity(costs, hitRatio);
  const µs = (s: number) => `${(s * 1e6).toFixed(0)} µs`;
  const encodeCoresPerContentHour = costs.encodeCpuPerMediaSecond * ASSUMPTIONS.encodePixelScale;
  const lines = [
    `Computed by \`npm run capacity:model\` from bench/viewers/results.json (${results.date.slice(0, 16)}Z, ${results.machine.cpus} × ${results.machine.model}, load ${results.machine.loadavg.map((l) => l.toFixed(1)).join(' ')}).`,
    '',
    `Measured (${costs.source}):`,
    '',
    `- API requests per viewer-second: ${costs.apiRequestsPerViewerSecond.toFixed(3)} (sign-in excluded; heartbeats, steering, browsing, starts and stops included)`,
    `- gateway CPU per API request: ${µs(costs.gatewayCpuPerApiRequest)}; users+streaming+recommender behind it: ${µs(costs.servicesCpuPerApiRequest)}`,
    `- edge: ${(costs.edgeBytesPerCoreSecond / 1e6).toFixed(0)} MB of media per CPU-second (${((costs.edgeBytesPerCoreSecond * 8) / 1e9).toFixed(2)} Gbit/s per core)${costs.nginxBytesPerCoreSecond ? `; nginx in the same run: ${(costs.nginxBytesPerCoreSecond / 1e6).toFixed(0)} MB per CPU-second` : ''}`,
    `- encoding the 720p ladder: ${costs.encodeCpuPerMediaSecond.toFixed(2)} CPU-seconds per second of video`,
    '',
    `Byte hit ratio of the edges: ${(hitRatio * 100).toFixed(1)} % (${hitSource}).`,
    '',
    '| concurrent viewers | egress | API req/s | gateway instances | users+streaming instances | edges (by CPU / by NIC) | origin egress |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.viewers.toLocaleString('en-US')} | ${r.egressGbps.toLocaleString('en-US')} Gbit/s | ${Math.round(r.apiPerSecond).toLocaleString('en-US')} | ${r.gateways} | ${r.userStreaming} | ${r.edges} (${r.edgesByCpu} / ${r.edgesByNic}) | ${r.originEgressGbps.toLocaleString('en-US', { maximumFractionDigits: 1 })} Gbit/s |`,
    ),
    '',
    `Encoder: ${encodeCoresPerContentHour.toFixed(1)} core-hours per hour of new 1080p-topped content (the measured 720p ladder × ${ASSUMPTIONS.encodePixelScale.toFixed(2)} for the pixels of a 1080p top rung); a catalog adding 100 hours a day needs ${Math.ceil((encodeCoresPerContentHour * 100) / 24)} cores busy around the clock.`,
    '',
    `Assumptions: ${JSON.stringify(ASSUMPTIONS)}.`,
  ];
  console.log(lines.join('\n'));
  return writeSection(
    resolve(import.meta.dirname, '../../docs/capacity.md'),
    'Model output',
    lines.join('\n'),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
