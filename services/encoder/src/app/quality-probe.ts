import { h264Profile } from './codecs/index.js';
import type { ComplexityPlan } from './complexity.js';
import { videoCodecArgs } from './encode-args.js';
import { safeInputArgs } from './input-policy.js';
import { candidateSizes, rungAt, type Rung } from './ladder.js';
import { referenceTopKbps, type ProbePoint } from './ladder-hull.js';
import type { SourceInfo } from './probe.js';

/**
 * The quality probe of the hull ladder (ladder-hull.ts): the complexity probe's sampled seconds encoded
 * at every rung size and a few target rates, each encode rate-controlled exactly as a rung of the
 * ladder would be (x264 ABR at our preset, the rung's VBV, one-segment closed GOPs: the encoder's own
 * argument builders), from one decode in one ffmpeg run; then each probe scaled to the source's size
 * and scored with ffmpeg's `ssim` against the same samples (a second run, every k-th frame). Two ffmpeg
 * runs whatever the ladder; docs/media.md gives the cost.
 *
 * Why ABR and not CRF: a CRF probe promises what an unconstrained encode reaches, and the VBV of a low
 * rung does not deliver it on sharp content (scrolling text: a CRF point promised near-transparent
 * quality at 190 kbit/s, the ABR rung there gave SSIM 0.962: the VBV starves the key frame every later
 * frame predicts from).
 */
export interface QualityProbePlan {
  samples: ComplexityPlan['samples'];
  sizes: { name: string; width: number; height: number }[];
  /** Every probe encode, in size-then-rate order: a rung of `sizes[size]` at a probe rate. */
  points: { size: number; rung: Rung }[];
  /** The ladder's encode settings the probe encodes share. */
  encode: { preset: string; fps: number; segmentSeconds: number };
  /** Where the SSIM is taken: the source's size, or its 1080p-class rung for larger sources. */
  measure: { width: number; height: number };
  /** Every this-many-th frame is scored (the encodes see every frame). */
  frameStep: number;
}

/**
 * Each size's probe rates, as shares of the fixed ladder's top rate at that size (referenceTopKbps):
 * from that top (what a fixed top rung reaches: the hull ladder's top aims there) down by halves to a
 * sixteenth (720p: 4790 … 299 kbit/s, 240p: 1280 … 80), where flat content already looks good.
 */
export const PROBE_RATE_SHARES = [1, 1 / 2, 1 / 4, 1 / 8, 1 / 16] as const;
const FRAME_STEP = 3;
const MEASURE_PIXELS_MAX = 1920 * 1080;

export function planQualityProbe(
  info: SourceInfo,
  complexity: ComplexityPlan,
  encode: { preset: string; fps: number; segmentSeconds: number },
): QualityProbePlan {
  const sizes = candidateSizes(info.width, info.height);
  const measure = sizes.find((s) => s.width * s.height <= MEASURE_PIXELS_MAX) ?? sizes[sizes.length - 1]!;
  const points = sizes.flatMap((size, i) => {
    const top = referenceTopKbps(size.width * size.height, encode.fps);
    return PROBE_RATE_SHARES.map((share) => ({ size: i, rung: rungAt(size, top * share, encode.fps) }));
  });
  return {
    samples: complexity.samples,
    sizes,
    points,
    encode,
    measure: { width: measure.width, height: measure.height },
    frameStep: FRAME_STEP,
  };
}

export const probeFile = (point: number) => `.quality-${point}.mkv`;

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

/** The encode run: every probe point from one decode, into `probeFile`s in the run's directory. */
export function qualityProbeEncodeArgs(
  plan: QualityProbePlan,
  info: SourceInfo,
  sourcePath: string,
  outputFps: string,
): string[] {
  const perSize = plan.sizes.map((_, i) => plan.points.filter((p) => p.size === i).length);
  const graph = [
    samplesGraph(plan, info, outputFps, 0, 'src'),
    `[src]split=${plan.sizes.length}${plan.sizes.map((_, i) => `[s${i}]`).join('')}`,
    ...plan.sizes.map(
      (s, i) =>
        `[s${i}]scale=${s.width}:${s.height}:flags=bicubic,setsar=1,split=${perSize[i]}${plan.points
          .flatMap((p, j) => (p.size === i ? [`[e${j}]`] : []))
          .join('')}`,
    ),
  ].join(';');
  // One thread each: the run holds many encoders, and the ladder's own run is where threads pay.
  const settings = { ...plan.encode, threads: 1 };
  const outputs = plan.points.flatMap((p, j) => {
    const ladder = { codec: h264Profile, rungs: [p.rung], settings: { preset: plan.encode.preset } };
    return [
      '-map',
      `[e${j}]`,
      // The ladder's own options for a one-stream output: what the rung would be encoded with.
      ...videoCodecArgs(settings, [{ stream: 0, ladder, rung: p.rung, label: `[e${j}]` }]),
      '-f',
      'matroska',
      '-y',
      probeFile(j),
    ];
  });
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
 * `frameStep`-th frame, one `ssim` filter per probe in the plan's order.
 */
export function qualityProbeMeasureArgs(
  plan: QualityProbePlan,
  info: SourceInfo,
  sourcePath: string,
  outputFps: string,
): string[] {
  const probes = plan.points.map((_, j) => probeFile(j));
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

/** Probe points from the encoded files' bit rates and the scores, in the plan's order. */
export function probePoints(
  plan: QualityProbePlan,
  kbps: readonly number[],
  ssim: readonly number[],
): ProbePoint[] {
  return plan.points.flatMap(({ rung }, j) =>
    kbps[j]! > 0 && ssim[j] !== undefined
      ? [
          {
            width: rung.width,
            height: rung.height,
            targetKbps: rung.bitrateKbps,
            kbps: kbps[j]!,
            quality: ssim[j],
          },
        ]
      : [],
  );
}
