import { cpus, loadavg } from 'node:os';
import { percentile, type LoadMetrics } from './metrics.js';
import type { LoadOptions } from './options.js';
import type { ProcessCpu } from './process-cpu.js';

/** The figures of one run: what `--json` prints and what bench/viewers reads. */
export interface LoadReport {
  target: { base: string; mode: 'api' | 'static' };
  seed: number;
  viewers: number;
  /** Wall time from the first viewer to the end of the drain, and the configured ramp. */
  seconds: number;
  rampSeconds: number;
  machine: { cpus: number; model: string; loadavgStart: number[]; loadavgEnd: number[] };
  viewersReady: number;
  signInFailures: number;
  starts: { attempted: number; playing: number; refused: number; failed: number };
  /** Stream starts per second: successful starts (first media segment received) over the run. */
  sps: number;
  startLatencyMs: { p50: number; p95: number; p99: number; max: number };
  segmentLatencyMs: { p50: number; p99: number };
  segments: number;
  mediaBytes: number;
  /** Media delivered to the simulated players, Mbit/s over the run. */
  throughputMbps: number;
  /** Bits of media received per second of media fetched, and the ladder's declared rate of what was chosen. */
  averageBitrateKbps: number;
  declaredBitrateKbps: number;
  rebuffer: { events: number; stallSeconds: number; playedSeconds: number; ratio: number };
  seeks: number;
  switches: number;
  sessionsEnded: number;
  requests: { api: number; playlists: number; media: number; steering: number };
  errors: Record<string, number>;
  errorCount: number;
  /** First attempts that failed and went to the other pathway at once (not in errors). */
  retries: Record<string, number>;
  retryCount: number;
  refusals: Record<string, number>;
  cpu: {
    loader: { seconds: number; share: number };
    processes: (ProcessCpu & { share: number })[];
  };
}

export function buildReport(input: {
  options: LoadOptions;
  metrics: LoadMetrics;
  seconds: number;
  loaderCpuSeconds: number;
  processes: ProcessCpu[];
  loadavgStart: number[];
}): LoadReport {
  const { options, metrics: m, seconds } = input;
  const starts = [...m.startLatencies];
  const segments = [...m.segmentLatencies];
  const round = (n: number, digits = 1) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);
  const share = (cpu: number) => round(cpu / seconds, 3);
  return {
    target: { base: options.base, mode: options.staticMasters.length > 0 ? 'static' : 'api' },
    seed: options.seed,
    viewers: options.viewers,
    seconds: round(seconds, 2),
    rampSeconds: options.rampMs / 1000,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      loadavgStart: input.loadavgStart.map((l) => round(l, 2)),
      loadavgEnd: loadavg().map((l) => round(l, 2)),
    },
    viewersReady: m.viewersReady,
    signInFailures: m.signInFailures,
    starts: { ...m.starts },
    sps: round(m.starts.playing / seconds, 2),
    startLatencyMs: {
      p50: round(percentile(starts, 50)),
      p95: round(percentile(starts, 95)),
      p99: round(percentile(starts, 99)),
      max: round(starts.at(-1) ?? NaN),
    },
    segmentLatencyMs: { p50: round(percentile(segments, 50)), p99: round(percentile(segments, 99)) },
    segments: m.segments,
    mediaBytes: m.mediaBytes,
    throughputMbps: round((m.mediaBytes * 8) / seconds / 1e6, 2),
    averageBitrateKbps: round(m.mediaSeconds > 0 ? (m.mediaBytes * 8) / m.mediaSeconds / 1000 : 0, 0),
    declaredBitrateKbps: round(m.mediaSeconds > 0 ? m.declaredBits / m.mediaSeconds / 1000 : 0, 0),
    rebuffer: {
      events: m.stalls,
      stallSeconds: round(m.stallMs / 1000, 2),
      playedSeconds: round(m.playedMs / 1000, 1),
      ratio: round(m.rebufferRatio, 5),
    },
    seeks: m.seeks,
    switches: m.switches,
    sessionsEnded: m.sessionsEnded,
    requests: { ...m.requests },
    errors: Object.fromEntries([...m.errors].sort((a, b) => b[1] - a[1])),
    errorCount: m.errorCount,
    retries: Object.fromEntries([...m.retries].sort((a, b) => b[1] - a[1])),
    retryCount: m.retryCount,
    refusals: Object.fromEntries(m.refusals),
    cpu: {
      loader: { seconds: round(input.loaderCpuSeconds, 2), share: share(input.loaderCpuSeconds) },
      processes: input.processes.map((p) => ({
        ...p,
        cpuSeconds: round(p.cpuSeconds, 2),
        share: share(p.cpuSeconds),
      })),
    },
  };
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–';

/** One line a second while the load runs (stderr, so `--json` output stays clean). */
export function progressLine(m: LoadMetrics, elapsedS: number, viewers: number, spsNow: number): string {
  const starts = [...m.startLatencies.slice(-2000)];
  return [
    `${fmt(elapsedS)}s`,
    `viewers ${m.viewersReady}/${viewers}`,
    `playing ${m.playingNow}`,
    `starts ${m.starts.playing} (${fmt(spsNow, 1)}/s)`,
    `start p95 ${fmt(percentile(starts, 95))} ms`,
    `segments ${m.segments}`,
    `${fmt((m.mediaBytes * 8) / Math.max(elapsedS, 0.001) / 1e6, 1)} Mbit/s`,
    `rebuffer ${(m.rebufferRatio * 100).toFixed(2)} %`,
    `errors ${m.errorCount}`,
  ].join(' · ');
}

export function formatReport(r: LoadReport): string {
  const rows: [string, string][] = [
    ['target', `${r.target.base} (${r.target.mode === 'api' ? 'public API' : 'static playlists'})`],
    [
      'viewers · seconds · seed',
      `${r.viewers} (${r.viewersReady} signed in) · ${fmt(r.seconds, 1)} s · ${r.seed}`,
    ],
    [
      'starts',
      `${r.starts.attempted} attempted: ${r.starts.playing} playing, ${r.starts.refused} refused, ${r.starts.failed} failed`,
    ],
    ['stream starts per second (SPS)', fmt(r.sps, 2)],
    [
      'start latency p50 / p95 / p99',
      `${fmt(r.startLatencyMs.p50)} / ${fmt(r.startLatencyMs.p95)} / ${fmt(r.startLatencyMs.p99)} ms`,
    ],
    ['segment latency p50 / p99', `${fmt(r.segmentLatencyMs.p50, 1)} / ${fmt(r.segmentLatencyMs.p99, 1)} ms`],
    [
      'segments · media',
      `${fmt(r.segments)} · ${fmt(r.mediaBytes / 2 ** 20, 1)} MiB (${fmt(r.throughputMbps, 1)} Mbit/s)`,
    ],
    [
      'average bitrate delivered',
      `${fmt(r.averageBitrateKbps)} kbit/s (ladder's declared ${fmt(r.declaredBitrateKbps)})`,
    ],
    [
      'rebuffers · ratio',
      `${r.rebuffer.events} · ${(r.rebuffer.ratio * 100).toFixed(3)} % (${fmt(r.rebuffer.stallSeconds, 1)} s stalled of ${fmt(r.rebuffer.playedSeconds)} s played)`,
    ],
    ['seeks · rendition switches · sessions ended', `${r.seeks} · ${r.switches} · ${r.sessionsEnded}`],
    [
      'requests',
      `${r.requests.api} API, ${r.requests.playlists} playlists, ${r.requests.media} media, ${r.requests.steering} steering`,
    ],
    [
      'errors',
      r.errorCount === 0
        ? '0'
        : `${r.errorCount}: ${Object.entries(r.errors)
            .map(([k, v]) => `${k} ×${v}`)
            .join(', ')}`,
    ],
    [
      'first attempts moved to the other pathway',
      r.retryCount === 0
        ? '0'
        : `${r.retryCount}: ${Object.entries(r.retries)
            .map(([k, v]) => `${k} ×${v}`)
            .join(', ')}`,
    ],
  ];
  if (r.starts.refused > 0)
    rows.push([
      'refused by plan/limit',
      Object.entries(r.refusals)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', '),
    ]);
  rows.push([
    'loader CPU',
    `${fmt(r.cpu.loader.seconds, 1)} s (${fmt(r.cpu.loader.share * 100)} % of a core)`,
  ]);
  for (const p of r.cpu.processes)
    rows.push([
      `CPU pid ${p.pid}${p.ports.length ? ` :${p.ports.join(',:')}` : ''}`,
      `${fmt(p.cpuSeconds, 1)} s (${fmt(p.share * 100)} % of a core) ${p.name}`,
    ]);
  rows.push([
    'machine',
    `${r.machine.cpus} × ${r.machine.model}, load ${r.machine.loadavgStart.join(' ')} → ${r.machine.loadavgEnd.join(' ')}`,
  ]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
