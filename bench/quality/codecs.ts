/**
 * AV1 against H.264 on each codec's own rate–quality curve (issue 15 §1: "AV1 bits at equal SSIM/PSNR
 * against H.264, per rung, on the same sources"). For every rung size of a ladder, both codecs encode
 * the same picture at the same few target rates, with the production rate control (the codec
 * profiles' rungAt: VBR target, VBV peak 1.5 × and buffer 2 ×, GOP of one segment: encode-args.ts's
 * videoCodecArgs) and packaging (CMAF HLS); then the bits one codec spends against the other at equal
 * quality, per rung size (BD-rate on that size's two curves) and on each codec's hull over all sizes.
 *
 * Each size is scaled straight from the source, bicubic, as measure.ts scales the reference: a
 * rung's own-size SSIM then compares the encoder's exact input with its output, the codec's loss
 * alone (the production cascade scales 240p from 360p, which the reference does not repeat).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  cmafHlsMuxerArgs,
  videoCodecArgs,
  type VideoOutput,
} from '../../services/encoder/src/app/encode-args.js';
import type {
  CodecId,
  CodecLadder,
  CodecProfile,
  RungSize,
} from '../../services/encoder/src/app/codecs/index.js';
import { rateQualitySvg, type ChartSeries } from './chart.js';
import { runFfmpeg } from './ffmpeg.js';
import { directoryKbps, measureQuality, type Quality } from './measure.js';
import { bdRate, rateAtQuality, type RatePoint } from './rate-quality.js';

/**
 * The target rates of each size's curve, as multiples of its anchor (the production H.264 rung's
 * rate): a factor 1.6 apart, so that a codec saving a third still shares three of the four steps'
 * quality range with the other.
 */
export const RATE_FACTORS: readonly number[] = [0.4, 0.63, 1, 1.6];

export interface SweepPoint extends Quality {
  codec: CodecId;
  name: string;
  width: number;
  height: number;
  targetKbps: number;
  /** The target as a multiple of the size's anchor (one of RATE_FACTORS). */
  factor: number;
  /** Every byte of the rendition (init and segments) over the duration. */
  kbps: number;
}

export interface SweepSettings {
  /** Presets per codec: x264's name, SVT-AV1's number (as the encoder's settings give them). */
  presets: Record<CodecId, string>;
  threads: number | undefined;
  segmentSeconds: number;
  fps: number;
}

/** The sizes' anchors: a rung's size and the production H.264 rate its curve is centred on. */
export type SweepAnchor = RungSize & { bitrateKbps: number };

/**
 * Encodes every (codec, size, factor) point: one ffmpeg run per factor, both codecs and every size from
 * one decode (as the production encode), each output a CMAF HLS variant; then measures each.
 */
export async function sweepCodecs(
  ffmpeg: string,
  source: { path: string; width: number; height: number },
  anchors: readonly SweepAnchor[],
  codecs: readonly CodecProfile[],
  settings: SweepSettings,
  seconds: number,
  dir: string,
  factors: readonly number[] = RATE_FACTORS,
): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  for (const [f, factor] of factors.entries()) {
    const runDir = join(dir, `rate-${f}`);
    await mkdir(runDir, { recursive: true });
    const ladders: CodecLadder[] = codecs.map((codec) => ({
      codec,
      rungs: anchors.map((a) => codec.rungAt(a, a.bitrateKbps * factor, settings.fps)),
      settings: { preset: settings.presets[codec.id] },
    }));
    const outputs: VideoOutput[] = ladders.flatMap((ladder, k) =>
      ladder.rungs.map((rung, i) => ({
        stream: k * anchors.length + i,
        ladder,
        rung,
        label: sweepLabel(k, i),
      })),
    );
    await runFfmpeg(ffmpeg, sweepArgs(source.path, anchors, outputs, settings), runDir);
    for (const o of outputs) {
      const variant = join(runDir, `stream_${o.stream}`);
      const q = await measureQuality(
        ffmpeg,
        join(variant, 'index.m3u8'),
        source,
        o.rung.width,
        o.rung.height,
      );
      points.push({
        codec: o.ladder.codec.id,
        name: o.rung.name,
        width: o.rung.width,
        height: o.rung.height,
        targetKbps: o.rung.bitrateKbps,
        factor,
        kbps: await directoryKbps(variant, seconds),
        ...q,
      });
    }
  }
  return points;
}

/** The filter graph label of codec `k`'s output of size `i`. */
const sweepLabel = (k: number, i: number): string => `[o${k}x${i}]`;

/** The sweep's command line: the production codec and muxer options, sizes scaled straight from the source. */
export function sweepArgs(
  sourcePath: string,
  anchors: readonly RungSize[],
  outputs: readonly VideoOutput[],
  settings: SweepSettings,
): string[] {
  const codecsPerSize = outputs.length / anchors.length;
  const graph = [
    `[0:v]fps=${settings.fps},format=yuv420p,split=${anchors.length}${anchors.map((_, i) => `[s${i}]`).join('')}`,
    ...anchors.map((a, i) => {
      const labels = Array.from({ length: codecsPerSize }, (_, k) => sweepLabel(k, i));
      return `[s${i}]scale=${a.width}:${a.height}:flags=bicubic,setsar=1,split=${codecsPerSize}${labels.join('')}`;
    }),
  ].join(';');
  return [
    '-i',
    sourcePath,
    '-filter_complex',
    graph,
    ...outputs.flatMap((o) => ['-map', o.label]),
    ...videoCodecArgs({ ...settings, preset: settings.presets.h264 }, outputs),
    '-an',
    '-max_muxing_queue_size',
    '4096',
    ...cmafHlsMuxerArgs(settings.segmentSeconds, 'stream_%v/seg_%05d.m4s'),
    '-var_stream_map',
    outputs.map((o) => `v:${o.stream}`).join(' '),
    'stream_%v/index.m3u8',
  ];
}

export interface CodecComparison {
  /** Per size: the bits `test` spends against `reference` at equal own-size SSIM and PSNR. */
  perRung: {
    name: string;
    ssim: number | undefined;
    psnr: number | undefined;
    /**
     * The target `test` needs to match the own-size SSIM of `reference` at its anchor rate (factor 1),
     * as a share of that rate: what AV1_BITRATE_SHARE should be for AV1 to equal the H.264 rung.
     */
    share: number | undefined;
    /** `test`'s cheapest point already beats it: the share is at most `share`. */
    shareAtMost: boolean;
  }[];
  /** On each codec's hull over every size, at equal full-screen SSIM and PSNR. */
  hullSsim: number | undefined;
  hullPsnr: number | undefined;
}

/**
 * Compares two codecs' sweep points (pure): per rung size on the quality of the rung against the
 * source scaled to it (both encoders got the same picture, so this is the codecs' difference alone),
 * and on the hulls of all sizes by what a viewer sees full screen.
 */
export function compareCodecs(
  points: readonly SweepPoint[],
  reference: CodecId,
  test: CodecId,
): CodecComparison {
  const of = (codec: CodecId, name?: string) =>
    points.filter((p) => p.codec === codec && (name === undefined || p.name === name));
  const by = (ps: readonly SweepPoint[], q: (p: SweepPoint) => number): RatePoint[] =>
    ps.map((p) => ({ kbps: p.kbps, quality: q(p) }));
  const names = [...new Set(of(reference).map((p) => p.name))];
  return {
    perRung: names.map((name) => ({
      name,
      ...matchingShare(of(reference, name), of(test, name)),
      ssim: bdRate(
        by(of(reference, name), (p) => p.ssim),
        by(of(test, name), (p) => p.ssim),
      ),
      psnr: bdRate(
        by(of(reference, name), (p) => p.psnr),
        by(of(test, name), (p) => p.psnr),
      ),
    })),
    hullSsim: bdRate(
      by(of(reference), (p) => p.displaySsim),
      by(of(test), (p) => p.displaySsim),
    ),
    hullPsnr: bdRate(
      by(of(reference), (p) => p.displayPsnr),
      by(of(test), (p) => p.displayPsnr),
    ),
  };
}

function matchingShare(
  reference: readonly SweepPoint[],
  test: readonly SweepPoint[],
): { share: number | undefined; shareAtMost: boolean } {
  const anchor = reference.find((p) => p.factor === 1);
  if (!anchor || test.length === 0) return { share: undefined, shareAtMost: false };
  const curve = test.map((p) => ({ kbps: p.targetKbps, quality: p.ssim }));
  const target = rateAtQuality(curve, anchor.ssim);
  return {
    share: target === undefined ? undefined : target / anchor.targetKbps,
    shareAtMost: curve.every((p) => p.quality >= anchor.ssim),
  };
}

const pct = (x: number | undefined) =>
  x === undefined ? 'n/a' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
const mean = (xs: readonly (number | undefined)[]) => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : undefined;
};

const median = (xs: readonly (number | undefined)[]) => {
  const known = xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  return known.length ? known[Math.floor((known.length - 1) / 2)] : undefined;
};
const range = (xs: readonly (number | undefined)[]) => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? `${Math.min(...known).toFixed(2)}–${Math.max(...known).toFixed(2)}` : 'n/a';
};

/** One title's sweep, for the report. */
export interface TitleSweep {
  title: string;
  points: SweepPoint[];
  comparison: CodecComparison;
}

/**
 * The report's AV1 part (markdown lines): per title and rung the bits AV1 spends against H.264 at
 * equal quality, each rung's points, and the means over the corpus.
 */
export function codecSweepReport(
  sweeps: readonly TitleSweep[],
  av1Preset: string,
  installPreset: string,
): string[] {
  const presetNote =
    av1Preset === installPreset
      ? `SVT-AV1 preset ${av1Preset}`
      : `SVT-AV1 preset ${av1Preset} (\`QUALITY_BENCH_AV1_PRESET\`; the install default is ${installPreset})`;
  const rungRows = sweeps.flatMap(({ title, points, comparison }) =>
    comparison.perRung.map((r) => {
      const curve = (codec: CodecId) =>
        points
          .filter((p) => p.codec === codec && p.name === r.name)
          .map((p) => `${Math.round(p.kbps)}k ${p.ssim.toFixed(4)}`)
          .join(', ');
      const share = r.share === undefined ? 'n/a' : `${r.shareAtMost ? '≤ ' : ''}${r.share.toFixed(2)}`;
      return `| ${title} | ${r.name} | **${pct(r.ssim)}** | ${pct(r.psnr)} | ${share} | ${curve('h264')} | ${curve('av1')} |`;
    }),
  );
  const titleRows = sweeps.map(
    ({ title, comparison: c }) =>
      `| ${title} | ${pct(mean(c.perRung.map((r) => r.ssim)))} | ${pct(mean(c.perRung.map((r) => r.psnr)))} | ${pct(c.hullSsim)} | ${pct(c.hullPsnr)} |`,
  );
  const all = sweeps.flatMap((s) => s.comparison.perRung);
  const perRung = mean(all.map((r) => r.ssim));
  return [
    `AV1 against H.264 on each codec's own curve (issue 15, goal ≤ −30 % at equal SSIM; \`bench/quality/codecs.ts\`): for every`,
    `rung of (b), both codecs encode that size at ${RATE_FACTORS.map((f) => `${f}×`).join(', ')} its H.264 rate, with the production rate`,
    `control (target, VBV peak 1.5 × and buffer 2 ×, 4 s closed GOPs; x264 as above, ${presetNote}) and packaging`,
    '(CMAF HLS), each size scaled straight from the source (bicubic, as the reference) so its own-size SSIM is the codec’s loss',
    'alone. Bits: measured bytes, not targets. Per rung: BD-rate of AV1 against H.264 on that size’s two curves (own-size',
    'SSIM, PSNR); hulls: each codec’s points of all sizes, full-screen quality.',
    '',
    '**Before 2026-12-07 the AV1 figures (+9.7 % at equal SSIM) were wrong twice over.** `measure.ts` read ffmpeg’s SSIM and',
    'PSNR summaries in the graph’s order, but ffmpeg prints them last filter first: every “full screen” figure was the',
    'rung’s own-size one and the other way round, so hulls mixing sizes were drawn on scores where a 240p rung matches a',
    '720p one. And AV1 had one point per rung (H.264’s rate × 0.6), compared on that mixed hull. The suspected frame',
    'offset of AV1 was not there: both codecs’ CMAF streams start at 0.066 s, and paired by frame index with the encoded',
    'stream shifted −1/0/+1 frames the AV1 720p rung of animation scores SSIM 0.940/0.983/0.940 (H.264: 0.941/0.987/0.941),',
    'the same as `measureQuality` gives; `measure.test.ts` keeps both the pairing and the naming right.',
    '',
    '| title | mean over rungs, SSIM | mean over rungs, PSNR | on the hulls, SSIM | on the hulls, PSNR |',
    '| --- | --- | --- | --- | --- |',
    ...titleRows,
    '',
    `**Mean over the corpus: AV1 ${pct(perRung)} bits at equal SSIM per rung** (${pct(mean(all.map((r) => r.psnr)))} at equal`,
    `PSNR; ${all.length} rungs), ${pct(mean(sweeps.map((s) => s.comparison.hullSsim)))} on the hulls at equal full-screen SSIM`,
    `(${pct(mean(sweeps.map((s) => s.comparison.hullPsnr)))} PSNR; n/a titles left out of the means). The AV1 target that matches`,
    `the H.264 rung's own-size SSIM at its production rate, as a share of that rate (\`AV1_BITRATE_SHARE\`'s evidence):`,
    `median ${median(all.map((r) => r.share))?.toFixed(2) ?? 'n/a'} over the rungs (range ${range(all.map((r) => r.share))}; "≤": AV1's cheapest point already matches).`,
    `Goal (≤ −30 % at equal SSIM on average): **${perRung !== undefined && perRung <= -0.3 ? 'met' : 'not met'}** at SVT-AV1 preset ${av1Preset}.`,
    '',
    '| title | rung | AV1 vs H.264, SSIM | AV1 vs H.264, PSNR | AV1 target equal to the H.264 rung | H.264 points (kbit/s, own-size SSIM) | AV1 points |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rungRows,
  ];
}

const SHADES: Record<CodecId, readonly string[]> = {
  h264: ['#0b3d91', '#1f6fd1', '#5a9be6', '#98bfee', '#c3d9f5'],
  av1: ['#7a1f0b', '#d1451f', '#e8845f', '#f0ad8e', '#f6d0bd'],
};

/**
 * A title's chart: each rung size's curve per codec (blues H.264, reds AV1, darker for larger) at
 * full-screen SSIM, so the sizes line up as a viewer sees them.
 */
export function codecSweepSvg(title: string, height: number, points: readonly SweepPoint[]): string {
  const names = [...new Set(points.map((p) => p.name))];
  const series = (['h264', 'av1'] as const).flatMap((codec) =>
    names.map((name, i): ChartSeries => ({
      label: `${codec === 'h264' ? 'H.264' : 'AV1'} ${name}`,
      colour: SHADES[codec][Math.min(i, SHADES[codec].length - 1)]!,
      points: points
        .filter((p) => p.codec === codec && p.name === name)
        .map((p) => ({ name: p.name, kbps: p.kbps, quality: p.displaySsim })),
    })),
  );
  return rateQualitySvg(
    `${title}: H.264 and AV1, ${RATE_FACTORS.length} rates a rung`,
    `SSIM (All) of the rung shown at ${height}p`,
    series,
  );
}
