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

/**
 * The most picture one encode run of the probe holds: the sum of its encoders' frame sizes, five
 * 1080p encoders' worth. All 40 points of a 1080p source in one ffmpeg ran out of the analyse memory
 * limit (3 GiB: x264 "malloc failed"), and the hull ladder fell back to the heuristic for every
 * 1080p title; a run of this size needs about what the ladder's own 1080p run does.
 */
export const PROBE_RUN_PIXELS = 5 * 1920 * 1080;

/** Indices of `items` in order, packed into runs whose weights sum to at most `budget` (a heavier item alone). */
function packInOrder<T>(items: readonly T[], weight: (item: T) => number, budget: number): number[][] {
  const runs: number[][] = [];
  let load = Infinity;
  items.forEach((item, j) => {
    if (load + weight(item) > budget) {
      runs.push([]);
      load = 0;
    }
    runs[runs.length - 1]!.push(j);
    load += weight(item);
  });
  return runs;
}

/**
 * The probe's encode runs: the plan's points in plan order, at most PROBE_RUN_PIXELS of picture a run.
 * Each run decodes the samples again (a few seconds of the source, cheap against the encodes): a 720p
 * source takes two runs, 1080p three.
 */
export const probeEncodeRuns = (plan: QualityProbePlan): number[][] =>
  packInOrder(plan.points, ({ rung }) => rung.width * rung.height, PROBE_RUN_PIXELS);

/**
 * The probe's scoring runs: PROBE_SCORE_RUN_SIZE probes a run, each scored at the measure size. All 40
 * of a 1080p source in one run (40 decoders and 40 pictures at 1080p) ran out of the memory limit as
 * the encodes had.
 */
export const PROBE_SCORE_RUN_SIZE = 10;

export const probeScoreRuns = (plan: QualityProbePlan): number[][] =>
  packInOrder(plan.points, () => 1, PROBE_SCORE_RUN_SIZE);

/**
 * One encode run: the probe points `points` (indices into the plan; default every one) from one
 * decode of the samples, into `probeFile`s in the run's directory.
 */
export function qualityProbeEncodeArgs(
  plan: QualityProbePlan,
  info: SourceInfo,
  sourcePath: string,
  outputFps: string,
  points: readonly number[] = plan.points.map((_, j) => j),
): string[] {
  const sizes = [...new Set(points.map((j) => plan.points[j]!.size))];
  const ofSize = (i: number) => points.filter((j) => plan.points[j]!.size === i);
  const graph = [
    samplesGraph(plan, info, outputFps, 0, 'src'),
    `[src]split=${sizes.length}${sizes.map((i) => `[s${i}]`).join('')}`,
    ...sizes.map((i) => {
      const s = plan.sizes[i]!;
      const labels = ofSize(i).map((j) => `[e${j}]`);
      return `[s${i}]scale=${s.width}:${s.height}:flags=bicubic,setsar=1,split=${labels.length}${labels.join('')}`;
    }),
  ].join(';');
  // One thread each: the run holds many encoders, and the ladder's own run is where threads pay.
  const settings = { ...plan.encode, threads: 1 };
  const outputs = points.flatMap((j) => {
    const p = plan.points[j]!;
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
 * A scoring run: each probe file of `points` (indices into the plan; default every one) scaled to
 * `measure` against the samples (decoded again, once), every `frameStep`-th frame, one `ssim` filter
 * per probe in the order given. Each probe is decoded on one thread: a run holds many decoders.
 */
export function qualityProbeMeasureArgs(
  plan: QualityProbePlan,
  info: SourceInfo,
  sourcePath: string,
  outputFps: string,
  points: readonly number[] = plan.points.map((_, j) => j),
): string[] {
  const probes = points.map((j) => probeFile(j));
  const { width, height } = plan.measure;
  const pick = `select='not(mod(n\\,${plan.frameStep}))',setpts=N/(25*TB)`;
  const toMeasure = `scale=${width}:${height}:flags=bicubic,format=yuv420p,setsar=1`;
  const graph = [
    samplesGraph(plan, info, outputFps, probes.length, 'src'),
    `[src]${pick},${toMeasure},split=${probes.length}${probes.map((_, k) => `[r${k}]`).join('')}`,
    ...probes.map((_, k) => `[${k}:v]${pick},${toMeasure}[d${k}]`),
    ...probes.map((_, k) => `[d${k}][r${k}]ssim=shortest=1`),
  ].join(';');
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'info',
    '-nostats',
    ...probes.flatMap((p) => ['-threads', '1', '-f', 'matroska', '-i', p]),
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
