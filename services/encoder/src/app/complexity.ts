import { safeInputArgs } from './input-policy.js';
import type { SourceInfo } from './probe.js';

/**
 * The complexity probe: a constant-quality encode (x264 at our preset, CRF 23) of a few sampled
 * seconds at about 540p. The bit rate it needs says how hard the title is to compress; the ladder
 * scales it to every rung (ladder.ts). It doubles as the decode check: samples that cannot be
 * decoded reject the upload before the long encode starts.
 */
export interface ComplexityPlan {
  samples: { startSeconds: number; durationSeconds: number }[];
  width: number;
  height: number;
  crf: number;
}

const SAMPLE_SECONDS = 2;
const SAMPLE_AT = [0.1, 0.5, 0.85];
const PROBE_BOX = { long: 960, short: 540 };

export function planComplexityProbe(info: SourceInfo): ComplexityPlan {
  const duration = info.durationSeconds;
  const samples =
    duration < SAMPLE_AT.length * SAMPLE_SECONDS * 2
      ? [{ startSeconds: 0, durationSeconds: Math.min(duration, 6) }]
      : SAMPLE_AT.map((at) => ({ startSeconds: round3(duration * at), durationSeconds: SAMPLE_SECONDS }));
  const portrait = info.height > info.width;
  const scale = Math.min(
    1,
    (portrait ? PROBE_BOX.short : PROBE_BOX.long) / info.width,
    (portrait ? PROBE_BOX.long : PROBE_BOX.short) / info.height,
  );
  return { samples, width: even(info.width * scale), height: even(info.height * scale), crf: 23 };
}

/** ffmpeg arguments; the raw H.264 goes to `outputFile`, whose size gives the bit rate. */
export function complexityProbeArgs(
  plan: ComplexityPlan,
  info: SourceInfo,
  sourcePath: string,
  outputFile: string,
  preset: string,
  outputFps: string,
): string[] {
  const inputs = plan.samples.flatMap((s) => [
    '-ss',
    String(s.startSeconds),
    '-t',
    String(s.durationSeconds),
    ...safeInputArgs(sourcePath, info.demuxer),
  ]);
  const prepare = `fps=${outputFps},scale=${plan.width}:${plan.height},setsar=1,format=yuv420p`;
  const chains = plan.samples.map((_, i) => `[${i}:${info.videoStreamIndex}]${prepare}[p${i}]`);
  const graph =
    plan.samples.length === 1
      ? chains[0]!.replace(/\[p0\]$/, '[probe]')
      : `${chains.join(';')};${plan.samples.map((_, i) => `[p${i}]`).join('')}concat=n=${plan.samples.length}:v=1:a=0[probe]`;
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-progress',
    'pipe:1',
    '-nostats',
    ...inputs,
    '-filter_complex',
    graph,
    '-map',
    '[probe]',
    '-an',
    '-sn',
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-crf',
    String(plan.crf),
    '-f',
    'h264',
    '-y',
    outputFile,
  ];
}

/** kbit/s of the probe encode, from its size and the frames it holds. */
export function probeBitrateKbps(bytes: number, frames: number, fps: number): number {
  const seconds = frames / fps;
  return seconds > 0 ? (bytes * 8) / seconds / 1000 : 0;
}

function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
