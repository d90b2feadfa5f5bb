import type { ComplexityPlan } from './complexity.js';
import { safeInputArgs } from './input-policy.js';
import { ladderSizes } from './ladder.js';
import type { ProbePoint } from './ladder-hull.js';
import type { SourceInfo } from './probe.js';

/**
 * The quality probe of the hull ladder (ladder-hull.ts): the complexity probe's sampled seconds encoded
 * at every rung size with a few CRFs (x264 at our preset, one decode, one ffmpeg run), then each probe
 * scaled to the source's size and scored with ffmpeg's `ssim` against the same samples (a second run,
 * every k-th frame). Two ffmpeg runs whatever the ladder; docs/media.md gives the cost.
 */
export interface QualityProbePlan {
  samples: ComplexityPlan['samples'];
  sizes: { name: string; width: number; height: number }[];
  crfs: readonly number[];
  /** Where the SSIM is taken: the source's size, or its 1080p-class rung for larger sources. */
  measure: { width: number; height: number };
  /** Every this-many-th frame is scored (the encodes see every frame). */
  frameStep: number;
}

/** From near-transparent to the blockiness of a bottom rung: the range a ladder's rungs span. */
export const PROBE_CRFS = [18, 24, 30, 36] as const;
const FRAME_STEP = 3;
const MEASURE_PIXELS_MAX = 1920 * 1080;

export function planQualityProbe(info: SourceInfo, complexity: ComplexityPlan): QualityProbePlan {
  const sizes = ladderSizes(info.width, info.height);
  const measure = sizes.find((s) => s.width * s.height <= MEASURE_PIXELS_MAX) ?? sizes[sizes.length - 1]!;
  return {
    samples: complexity.samples,
    sizes,
    crfs: PROBE_CRFS,
    measure: { width: measure.width, height: measure.height },
    frameStep: FRAME_STEP,
  };
}

export const probeFile = (size: number, crf: number) => `.quality-${size}-${crf}.mkv`;

/** The sampled seconds, concatenated, as `[label]` (each input given at `firstInput` on). */
function samplesGraph(
  plan: QualityProbePlan,
  info: SourceInfo,
  outputFps: string,
  firstInput: number,
  label: string,
): string {
  const prepare = `fps=${outputFps},format=yuv420p,setsar=1`;
  const chains = plan.samples.map((_, i) => `[${firstInput + i}:${info.videoStreamIndex}]${prepare}[q${i}]`);
  if (plan.samples.length === 1) return chains[0]!.replace(/\[q0\]$/, `[${label}]`);
  const inputs = plan.samples.map((_, i) => `[q${i}]`).join('');
  return `${chains.join(';')};${inputs}concat=n=${plan.samples.length}:v=1:a=0[${label}]`;
}

function sampleInputs(plan: QualityProbePlan, info: SourceInfo, sourcePath: string): string[] {
  return plan.samples.flatMap((s) => [
    '-ss',
    String(s.startSeconds),
    '-t',
    String(s.durationSeconds),
    ...safeInputArgs(sourcePath, info.demuxer),
  ]);
}

/** The encode run: every size × CRF from one decode, into `probeFile`s in the run's directory. */
export function qualityProbeEncodeArgs(
  plan: QualityProbePlan,
  info: SourceInfo,
  sourcePath: string,
  preset: string,
  outputFps: string,
): string[] {
  const n = plan.crfs.length;
  const graph = [
    samplesGraph(plan, info, outputFps, 0, 'src'),
    `[src]split=${plan.sizes.length}${plan.sizes.map((_, i) => `[s${i}]`).join('')}`,
    ...plan.sizes.map(
      (s, i) =>
        `[s${i}]scale=${s.width}:${s.height}:flags=bicubic,setsar=1,split=${n}${plan.crfs.map((c) => `[e${i}c${c}]`).join('')}`,
    ),
  ].join(';');
  const outputs = plan.sizes.flatMap((_, i) =>
    plan.crfs.flatMap((crf) => [
      '-map',
      `[e${i}c${crf}]`,
      '-c:v',
      'libx264',
      '-preset',
      preset,
      '-crf',
      String(crf),
      // One thread each: the run holds many encoders, and the ladder's own run is where threads pay.
      '-threads',
      '1',
      '-f',
      'matroska',
      '-y',
      probeFile(i, crf),
    ]),
  );
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    ...sampleInputs(plan, info, sourcePath),
    '-filter_complex',
    graph,
    '-an',
    '-sn',
    ...outputs,
  ];
}

/**
 * The scoring run: each probe file scaled to `measure` against the samples (decoded again, once), every
 * `frameStep`-th frame, one `ssim` filter per probe in size-then-CRF order.
 */
export function qualityProbeMeasureArgs(
  plan: QualityProbePlan,
  info: SourceInfo,
  sourcePath: string,
  outputFps: string,
): string[] {
  const probes = plan.sizes.flatMap((_, i) => plan.crfs.map((crf) => probeFile(i, crf)));
  const { width, height } = plan.measure;
  const pick = `select='not(mod(n\\,${plan.frameStep}))',setpts=N/(25*TB)`;
  const toMeasure = `scale=${width}:${height}:flags=bicubic,format=yuv420p,setsar=1`;
  const graph = [
    samplesGraph(plan, info, outputFps, probes.length, 'src'),
    `[src]${pick},${toMeasure},split=${probes.length}${probes.map((_, j) => `[r${j}]`).join('')}`,
    ...probes.map((_, j) => `[${j}:v]${pick},${toMeasure}[d${j}]`),
    ...probes.map((_, j) => `[d${j}][r${j}]ssim=shortest=1`),
  ].join(';');
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'info',
    '-nostats',
    ...probes.flatMap((p) => ['-f', 'matroska', '-i', p]),
    ...sampleInputs(plan, info, sourcePath),
    '-filter_complex',
    graph,
    '-f',
    'null',
    '-',
  ];
}

/** SSIM "All" of each `ssim` filter from ffmpeg's log, in graph order (by the filter's instance number). */
export function parseSsimSummaries(log: string): number[] {
  return [...log.matchAll(/Parsed_ssim_(\d+) @ [^\]]*\] SSIM Y:\S+ .*?All:([\d.]+)/g)]
    .map((m) => ({ index: Number(m[1]), all: Number(m[2]) }))
    .sort((a, b) => a.index - b.index)
    .map((s) => s.all);
}

/** Probe points from the encoded files' bit rates and the scores, in the run's size-then-CRF order. */
export function probePoints(
  plan: QualityProbePlan,
  kbps: readonly number[],
  ssim: readonly number[],
): ProbePoint[] {
  const points: ProbePoint[] = [];
  plan.sizes.forEach((size, i) =>
    plan.crfs.forEach((_, c) => {
      const j = i * plan.crfs.length + c;
      if (kbps[j]! > 0 && ssim[j] !== undefined)
        points.push({ width: size.width, height: size.height, kbps: kbps[j]!, quality: ssim[j] });
    }),
  );
  return points;
}
