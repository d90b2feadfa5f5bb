/**
 * Quality benchmark (issues 15 and 16): a corpus of generated sources of very different complexity,
 * each encoded with (a) Apple's fixed HLS ladder, (b) Marquee's heuristic H.264 ladder
 * (ENCODER_LADDER=heuristic), (d) Marquee's hull ladder (ENCODER_LADDER=hull: probe encodes on the
 * convex hull) and (c) the AV1 rungs derived from (d) — (b), (c) and (d) by the production encodeAsset,
 * (c) and (d) in one run with ENCODER_CODECS=h264,av1 — then SSIM and PSNR
 * of every rung against the source scaled to it. Per title: rate–quality points and their convex hulls
 * (a chart in docs/images/quality/), and the bits saved at equal quality (rate-quality.ts: BD-rate on
 * the hulls). Quality figures do not depend on the machine's load; the timing columns do.
 *
 *   npm run bench:quality     (QUALITY_BENCH_SECONDS=4 QUALITY_BENCH_HEIGHT=360 QUALITY_BENCH_RECORD=0: a quick, unrecorded run)
 *   QUALITY_BENCH_CLIPS=animation,screen  only these titles (unrecorded)
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_ENCODER_SETTINGS,
  encodeAsset,
  openMediaTools,
  probeTitleQuality,
  PROBE_RATE_SHARES,
  type EncodedAsset,
} from '@marquee/encoder';
import {
  DEFAULT_HULL_OPTIONS,
  planHullLadder,
  referenceTopKbps,
  upperHull,
} from '../../services/encoder/src/app/ladder-hull.js';
import { candidateSizes } from '../../services/encoder/src/app/ladder.js';
import { writeSection } from '../events/report.js';
import { rateQualitySvg, type ChartSeries } from './chart.js';
import {
  AV1_BITRATE_SHARE,
  av1Profile,
  DEFAULT_AV1_PRESET,
  h264Profile,
} from '../../services/encoder/src/app/codecs/index.js';
import { codecSweepReport, codecSweepSvg, compareCodecs, sweepCodecs, type TitleSweep } from './codecs.js';
import { corpus, makeClip } from './corpus.js';

import { encodeFixedLadder } from './fixed-ladder.js';
import { directoryKbps, measureQuality, type Quality } from './measure.js';
import { bdRate, type RatePoint } from './rate-quality.js';

const seconds = Number(process.env.QUALITY_BENCH_SECONDS ?? 10);
// 720p keeps a run to minutes on 2 cores; QUALITY_BENCH_HEIGHT=1080 for the full-HD ladder.
const height = Number(process.env.QUALITY_BENCH_HEIGHT ?? 720);
const width = 2 * Math.round((height * 16) / 9 / 2);
const onlyClips = process.env.QUALITY_BENCH_CLIPS?.split(',');
// Recorded by default (any size: quality figures are size-specific, and the section says the size); =0 to skip.
const record = !onlyClips && process.env.QUALITY_BENCH_RECORD !== '0';
// QUALITY_BENCH_PART=av1: only the codec sweeps (codecs.ts) and their section.
const av1Only = process.env.QUALITY_BENCH_PART === 'av1';
// QUALITY_BENCH_SWEEPS=0: without the codec sweeps (the AV1 section below is then left as it is).
const withSweeps = av1Only || process.env.QUALITY_BENCH_SWEEPS !== '0';
/**
 * (e) The envelope's target rates, as multiples of each candidate size's fixed-top rate
 * (referenceTopKbps): 1.8× apart from above the top to a fifteenth of it, so every size's curve is
 * sampled from where it saturates to below the ladder's bottom (240p: 1600 … 86 kbit/s).
 */
const ENVELOPE_FACTORS = [1.25, 0.7, 0.39, 0.22, 0.12, 0.067];
/** SSIM differences below this are not told apart (see topCell). */
const SSIM_RESOLUTION = 0.00001;
const AV1_SECTION = 'Quality: AV1 against H.264 at equal quality';
const root = fileURLToPath(new URL('../../', import.meta.url));
const imageDir = record ? join(root, 'docs/images/quality') : join(root, '.artifacts/quality');

type Point = RatePoint & Quality & { name: string; height: number };

function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; wall: number; cpu: number }> {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const result = await work();
  return { result, wall: (performance.now() - t0) / 1000, cpu: childCpuSeconds() - cpu0 };
}

const pct = (x: number | undefined) =>
  x === undefined ? 'n/a' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
// Hulls and bits saved use the quality a viewer sees (rung scaled to the source's size): see measure.ts.
const bySsim = (points: readonly Point[]) => points.map((p) => ({ ...p, quality: p.displaySsim }));
const byPsnr = (points: readonly Point[]) => points.map((p) => ({ ...p, quality: p.displayPsnr }));
const top = (points: readonly Point[]) =>
  [...points].sort((a, b) => b.height - a.height || b.kbps - a.kbps)[0]!;

const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-quality-'));
try {
  const tools = await openMediaTools({
    searchPath: process.env.PATH ?? '/usr/bin:/bin',
    ...(process.env.FFMPEG_PATH ? { ffmpegPath: process.env.FFMPEG_PATH } : {}),
    ...(process.env.FFPROBE_PATH ? { ffprobePath: process.env.FFPROBE_PATH } : {}),
    codecs: ['h264', 'av1'],
    warn: (m) => console.warn(m),
  });
  const ffmpeg = tools.binaries.ffmpeg;
  await mkdir(imageDir, { recursive: true });
  const loadBefore = loadavg()[0]!;
  const rows: string[] = [];
  const ladderRows: string[] = [];
  const avRows: string[] = [];
  const timeRows: string[] = [];
  const codecSweeps: TitleSweep[] = [];
  // QUALITY_BENCH_AV1_PRESET: another SVT-AV1 preset than the install default, for (c) and the sweeps.
  const av1Preset =
    process.env.QUALITY_BENCH_AV1_PRESET ?? DEFAULT_ENCODER_SETTINGS.av1Preset ?? DEFAULT_AV1_PRESET;
  const summary = {
    fixedToH264: [] as number[],
    fixedToHull: [] as number[],
    fixedToHullPsnr: [] as number[],
    fixedToEnvelope: [] as number[],
    hullToEnvelope: [] as number[],
    h264ToAv1: [] as number[],
    h264ToAv1Psnr: [] as number[],
    /** Titles whose hull top rung is worse than the fixed top by more than the tolerance. */
    worseTops: [] as string[],
  };
  const tolerance = DEFAULT_HULL_OPTIONS.topTolerance;
  // AV1 and H.264 each on its own curve (codecs.ts): every rung of the production ladder (b), swept.
  const sweepTimes: string[] = [];
  const sweepTitle = async (
    title: string,
    reference: { path: string; width: number; height: number },
    ladder: EncodedAsset,
  ) => {
    console.log(`${title}: H.264 and AV1 rate sweeps at the sizes of (b)…`);
    const sweepDir = join(dir, `${title}-codecs`);
    const sweep = await timed(() =>
      sweepCodecs(
        ffmpeg,
        reference,
        ladder.renditions
          .filter((r) => r.codec === 'h264')
          .map((r) => ({ name: r.name, width: r.width, height: r.height, bitrateKbps: r.rung.bitrateKbps })),
        [h264Profile, av1Profile],
        {
          presets: { h264: DEFAULT_ENCODER_SETTINGS.preset, av1: av1Preset },
          threads: DEFAULT_ENCODER_SETTINGS.threads,
          segmentSeconds: DEFAULT_ENCODER_SETTINGS.segmentSeconds,
          fps: 30,
        },
        seconds,
        sweepDir,
      ),
    );
    codecSweeps.push({ title, points: sweep.result, comparison: compareCodecs(sweep.result, 'h264', 'av1') });
    await writeFile(join(imageDir, `${title}-av1.svg`), codecSweepSvg(title, height, sweep.result));
    await rm(sweepDir, { recursive: true, force: true });
    return sweep;
  };
  const clips = (await corpus(dir)).filter((c) => !onlyClips || onlyClips.includes(c.name));
  for (const clip of clips) {
    console.log(`${clip.name}: making ${seconds} s of ${width}×${height}…`);
    const source = join(dir, `${clip.name}.mkv`);
    await makeClip(ffmpeg, clip, source, width, height, seconds);
    const reference = { path: source, width, height };
    if (av1Only) {
      // The sweep needs only the production ladder's rungs (b).
      const workDir = join(dir, `${clip.name}-heuristic`);
      const ladder = await encodeAsset(
        tools,
        { sourcePath: source, workDir },
        { ...DEFAULT_ENCODER_SETTINGS, ladder: 'heuristic' },
      );
      const sweep = await sweepTitle(clip.name, reference, ladder);
      sweepTimes.push(`| ${clip.name} | ${sweep.wall.toFixed(0)} s / ${sweep.cpu.toFixed(0)} CPU-s |`);
      await rm(workDir, { recursive: true, force: true });
      continue;
    }
    const fixedDir = join(dir, `${clip.name}-fixed`);
    await mkdir(fixedDir);
    console.log(`${clip.name}: (a) fixed ladder…`);
    const fixed = await timed(() =>
      encodeFixedLadder(ffmpeg, source, fixedDir, height, seconds, DEFAULT_ENCODER_SETTINGS.preset),
    );
    const marquee = async (ladder: 'heuristic' | 'hull', codecs: ('h264' | 'av1')[]) => {
      const workDir = join(dir, `${clip.name}-${ladder}`);
      console.log(`${clip.name}: encodeAsset, ENCODER_LADDER=${ladder}, ${codecs.join('+')}…`);
      const run = await timed(() =>
        encodeAsset(
          tools,
          { sourcePath: source, workDir },
          { ...DEFAULT_ENCODER_SETTINGS, ladder, codecs, av1Preset },
        ),
      );
      return { ...run, workDir };
    };
    const heuristic = await marquee('heuristic', ['h264']);
    const hull = await marquee('hull', ['h264', 'av1']);
    console.log(`${clip.name}: the quality probe alone (its cost)…`);
    const probeDir = join(dir, `${clip.name}-probe`);
    await mkdir(probeDir);
    const probe = await timed(() => probeTitleQuality(tools, source, probeDir, DEFAULT_ENCODER_SETTINGS));
    console.log(`${clip.name}: measuring SSIM and PSNR of every rung…`);
    const fixedPoints: Point[] = [];
    for (const r of fixed.result) {
      const q = await measureQuality(ffmpeg, r.path, reference, r.width, r.height);
      fixedPoints.push({ name: r.name, height: r.height, kbps: r.kbps, quality: q.displaySsim, ...q });
    }
    const measureAsset = async (asset: EncodedAsset, workDir: string, codec: 'h264' | 'av1') => {
      const points: Point[] = [];
      for (const r of asset.renditions.filter((x) => x.codec === codec)) {
        const playlist = join(workDir, r.playlist);
        const kbps = await directoryKbps(dirname(playlist), asset.durationSeconds);
        const q = await measureQuality(ffmpeg, playlist, reference, r.width, r.height);
        points.push({ name: r.name, height: r.height, kbps, quality: q.displaySsim, ...q });
      }
      return points;
    };
    const h264 = await measureAsset(heuristic.result, heuristic.workDir, 'h264');
    const hullH264 = await measureAsset(hull.result, hull.workDir, 'h264');
    const av1 = await measureAsset(hull.result, hull.workDir, 'av1');
    // (e) Every candidate size at every envelope rate, with the production rate control and packaging
    // (sweepCodecs, H.264 alone): the upper hull of all of them is the best any ladder of these sizes
    // can do with this encoder, so (a) against it bounds what choosing a ladder can save on the title.
    console.log(`${clip.name}: (e) the envelope, every size at ${ENVELOPE_FACTORS.length} rates…`);
    const envelopeDir = join(dir, `${clip.name}-envelope`);
    const envelope = await timed(() =>
      sweepCodecs(
        ffmpeg,
        reference,
        candidateSizes(width, height).map((s) => ({
          ...s,
          bitrateKbps: referenceTopKbps(s.width * s.height, 30),
        })),
        [h264Profile],
        {
          presets: { h264: DEFAULT_ENCODER_SETTINGS.preset, av1: av1Preset },
          threads: DEFAULT_ENCODER_SETTINGS.threads,
          segmentSeconds: DEFAULT_ENCODER_SETTINGS.segmentSeconds,
          fps: 30,
        },
        seconds,
        envelopeDir,
        ENVELOPE_FACTORS,
      ),
    );
    await rm(envelopeDir, { recursive: true, force: true });
    const envelopePoints: Point[] = upperHull(envelope.result.map((p) => ({ ...p, quality: p.displaySsim })));
    const sweep = withSweeps ? await sweepTitle(clip.name, reference, heuristic.result) : undefined;

    const series: ChartSeries[] = [
      { label: '(a) Apple fixed', colour: '#7a7a7a', points: bySsim(fixedPoints) },
      { label: '(b) heuristic H.264', colour: '#1f6fd1', points: bySsim(h264) },
      { label: '(d) hull H.264', colour: '#2a9d3f', points: bySsim(hullH264) },
      { label: '(c) hull AV1', colour: '#d1451f', points: bySsim(av1) },
      { label: '(e) envelope (bound)', colour: '#b0b0b0', points: envelopePoints, dashed: true },
    ];
    await writeFile(
      join(imageDir, `${clip.name}.svg`),
      rateQualitySvg(
        `${clip.name}: SSIM at ${height}p against bit rate`,
        `SSIM (All) of the rung shown at ${height}p`,
        series,
      ),
    );

    const fixedToH264 = bdRate(bySsim(fixedPoints), bySsim(h264));
    const fixedToHull = bdRate(bySsim(fixedPoints), bySsim(hullH264));
    const fixedToHullPsnr = bdRate(byPsnr(fixedPoints), byPsnr(hullH264));
    const heuristicToHull = bdRate(bySsim(h264), bySsim(hullH264));
    const fixedToEnvelope = bdRate(bySsim(fixedPoints), envelopePoints);
    const hullToEnvelope = bdRate(envelopePoints, bySsim(hullH264));
    const h264ToAv1 = bdRate(bySsim(hullH264), bySsim(av1));
    const h264ToAv1Psnr = bdRate(byPsnr(hullH264), byPsnr(av1));
    if (fixedToH264 !== undefined) summary.fixedToH264.push(fixedToH264);
    if (fixedToHull !== undefined) summary.fixedToHull.push(fixedToHull);
    if (fixedToHullPsnr !== undefined) summary.fixedToHullPsnr.push(fixedToHullPsnr);
    if (fixedToEnvelope !== undefined) summary.fixedToEnvelope.push(fixedToEnvelope);
    if (hullToEnvelope !== undefined) summary.hullToEnvelope.push(hullToEnvelope);
    if (h264ToAv1 !== undefined) summary.h264ToAv1.push(h264ToAv1);
    if (h264ToAv1Psnr !== undefined) summary.h264ToAv1Psnr.push(h264ToAv1Psnr);
    const fTop = top(fixedPoints);
    // "Worse" strictly, and whether within the hull ladder's top tolerance (ladder-hull.ts). Below
    // SSIM_RESOLUTION two scores are equal: ffmpeg prints SSIM to six decimals, and two encodes of the
    // same picture at the same rate differ by more than that.
    const topCell = (p: Point) => {
      const short = fTop.displaySsim - p.displaySsim;
      const verdict =
        short <= 0
          ? 'not worse'
          : short < SSIM_RESOLUTION
            ? `equal: ${short.toFixed(6)} lower`
            : `worse by ${short < 0.0001 ? short.toFixed(5) : short.toFixed(4)}${short <= tolerance ? ', within the tolerance' : ''}`;
      return `${p.name} ${Math.round(p.kbps)}k SSIM ${p.displaySsim.toFixed(4)} (${verdict})`;
    };
    if (fTop.displaySsim - top(hullH264).displaySsim >= Math.max(tolerance, SSIM_RESOLUTION))
      summary.worseTops.push(clip.name);
    rows.push(
      `| ${clip.name} | ${fixedPoints.length} / ${h264.length} / ${hullH264.length} | ${pct(fixedToH264)} | **${pct(fixedToHull)}** | ${pct(fixedToHullPsnr)} | ${pct(heuristicToHull)} | ${pct(fixedToEnvelope)} | ${pct(hullToEnvelope)} | ${fTop.name} ${Math.round(fTop.kbps)}k SSIM ${fTop.displaySsim.toFixed(4)} | ${topCell(top(h264))} | ${topCell(top(hullH264))} |`,
    );
    // The encode ran the same plan on the same probe; undefined: the hull declined (grain) and kept (b).
    const declined =
      probe.result !== undefined && !planHullLadder({ width, height, fps: 30, probes: probe.result });
    ladderRows.push(
      `| ${clip.name} | ${declined ? '(declined: a smaller size scores above the top, so (b)) ' : ''}${hullH264.map((p) => `${p.name} ${Math.round(p.kbps)}k ${p.displaySsim.toFixed(4)}`).join(', ')} | ${h264.map((p) => `${p.name} ${Math.round(p.kbps)}k ${p.displaySsim.toFixed(4)}`).join(', ')} | ${probe.result?.length ?? 0} points, ${probe.cpu.toFixed(1)} CPU-s (${(probe.cpu / seconds).toFixed(1)} a second of source) |`,
    );
    avRows.push(
      `| ${clip.name} | ${hullH264.length} / ${av1.length} | **${pct(h264ToAv1)}** | ${pct(h264ToAv1Psnr)} |`,
    );
    const cell = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(0)} s / ${t.cpu.toFixed(0)} CPU-s`;
    timeRows.push(
      `| ${clip.name} | ${cell(fixed)} | ${cell(heuristic)} | ${cell(hull)} | ${cell(probe)} | ${cell(envelope)} | ${sweep ? cell(sweep) : 'not run'} |`,
    );
    console.log(rows.at(-1));
    console.log(ladderRows.at(-1));
    console.log(avRows.at(-1));
    for (const d of [heuristic.workDir, hull.workDir, fixedDir, probeDir])
      await rm(d, { recursive: true, force: true });
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
  const loadAfter = loadavg()[0]!;
  const lines = [
    'Reproduce: `npm run bench:quality` (10 s at 720p by default; `QUALITY_BENCH_SECONDS`, `QUALITY_BENCH_HEIGHT`; `QUALITY_BENCH_RECORD=0` leaves this file alone).',
    `Sources: ${seconds} s of ${width}×${height}p30 each, generated with ffmpeg lavfi (bench/quality/corpus.ts), kept as near-lossless H.264 (CRF 8):`,
    ...clips.map((c) => `- **${c.name}**: ${c.stands}`),
    '',
    "Ladders: (a) the H.264 ladder of Apple's HLS Authoring Specification (fixed: 1080p 7800/6000 … 234p 145 kbit/s), encoded with",
    "the same x264 preset, GOP and VBV rules as Marquee's, so only the ladder differs; (b) Marquee's heuristic ladder",
    '(`ENCODER_LADDER=heuristic`: one CRF probe at 540p scaled to every rung, dominated rungs dropped); (d) the hull ladder',
    '(`ENCODER_LADDER=hull`, services/encoder/src/app/ladder-hull.ts: probe encodes of the sampled seconds at every candidate',
    `size (the rung sizes, 540p and 432p) and ${PROBE_RATE_SHARES.length} target rates (${PROBE_RATE_SHARES.map((s) => (s === 1 ? '1' : `1/${1 / s}`)).join(', ')} of the fixed top's rate at that size), each`,
    "rate-controlled as a rung (ABR, the rung's VBV, GOP), scored with SSIM at the source's size; rungs picked on the upper",
    `envelope of the sizes' curves (a size may take several rates), at least ${DEFAULT_HULL_OPTIONS.spacing}× apart, at most ${DEFAULT_HULL_OPTIONS.maxRungs}, down to ${DEFAULT_HULL_OPTIONS.bottomKbps} kbit/s; the top at the`,
    `${tolerance === 0 ? "top size's best probe (its probe at the fixed top's rate)" : `cheapest point within SSIM ${tolerance} of the top size's best probe`}; a title where a smaller size scores above the top size`,
    'keeps the heuristic); (c) the AV1 rungs of the same run',
    `(\`ENCODER_CODECS=h264,av1\`: (d)'s rates × ${AV1_BITRATE_SHARE}, SVT-AV1 preset ${av1Preset}). Quality: ffmpeg's \`ssim\` (All) and \`psnr\` (average)`,
    'of every rung, measured twice in one run: against the source scaled bicubically to the rung (the per-rung columns), and',
    "with the rung scaled up to the source's size against the source (as a viewer sees it full screen). Hulls, charts and",
    'bits saved use the second: against a shrunken source a 240p rung scores as well as a 1080p one.',
    'Bit rates: every byte a viewer downloads (init and media segments) over the duration.',
    '',
    "**Bits saved at equal quality** (BD-rate style, `bench/quality/rate-quality.ts`): both ladders' points reduced to their",
    'upper convex hull in (log rate, quality); log rate interpolated linearly along each hull; the difference averaged over',
    'the quality range both hulls cover; reported as exp(mean) − 1 (negative: fewer bits). Linear rather than the cubic fit',
    "of Bjøntegaard's method because a per-title ladder may have only two or three hull points. n/a: no shared range.",
    '',
    `**The bound** (e): every candidate size encoded whole at ${ENVELOPE_FACTORS.length} target rates (${ENVELOPE_FACTORS[0]} … ${ENVELOPE_FACTORS[ENVELOPE_FACTORS.length - 1]} of its fixed-top rate) with`,
    'the production rate control and packaging; the upper hull of all of them is the best any ladder of these sizes can do',
    'with this encoder, so (e) vs (a) bounds what choosing a ladder can save on a title, and (d) vs (e) is what the hull',
    "ladder loses to that bound (its probe's error and the spacing of its rungs). Dashed grey in the charts.",
    '',
    '| title | rungs (a / b / d) | (b) vs (a), SSIM | (d) vs (a), SSIM | (d) vs (a), PSNR | (d) vs (b), SSIM | (e) vs (a), SSIM: the bound | (d) vs (e), SSIM | top rung (a) | top rung (b) | top rung (d) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Mean over the corpus at equal SSIM against the fixed ladder (goal ≤ −20 %, issue 16): heuristic (b) ${pct(mean(summary.fixedToH264))},`,
    `hull (d) ${pct(mean(summary.fixedToHull))} (at equal PSNR ${pct(mean(summary.fixedToHullPsnr))}; means over the titles with a shared range).`,
    `The envelope (e), the most any ladder of these sizes could save with this encoder: ${pct(mean(summary.fixedToEnvelope))} against (a);`,
    `the hull ladder (d) spends ${pct(mean(summary.hullToEnvelope))} against the envelope.`,
    `Hull top rungs worse than the fixed top${tolerance > 0 ? ` by more than the tolerance (${tolerance})` : ''}: ${summary.worseTops.join(', ') || 'none'}.`,
    '',
    "The ladders (rung, kbit/s, full-screen SSIM) and what the hull ladder's probe cost (CPU-s of its two ffmpeg runs, under the load below):",
    '',
    '| title | (d) hull | (b) heuristic | quality probe |',
    '| --- | --- | --- | --- |',
    ...ladderRows,
    '',
    `The production AV1 rungs (c) (\`AV1_BITRATE_SHARE\` = ${AV1_BITRATE_SHARE} × (d)'s rates) against the H.264 rungs of the same ladder (d):`,
    '',
    '| title | rungs (d / c) | (c) vs (d), SSIM | (c) vs (d), PSNR |',
    '| --- | --- | --- | --- |',
    ...avRows,
    '',
    `Mean: ${pct(mean(summary.h264ToAv1))} at equal SSIM on the hulls (${pct(mean(summary.h264ToAv1Psnr))} at equal PSNR).`,
    '',
    ...clips.map((c) => `![${c.name}](images/quality/${c.name}.svg)`),
    '',
    `AV1 on its own rate–quality curves: the next section (${AV1_SECTION}).`,
    '',
    `Timings **under load** (1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${cpus().length} cores: worthless as speed figures, kept only to show the run's size):`,
    '',
    '| title | (a) fixed ladder, one ffmpeg | (b) encodeAsset heuristic, H.264 | (d)+(c) encodeAsset hull, H.264 + AV1 | the quality probe alone | (e) envelope | H.264 and AV1 sweeps |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...timeRows,
  ];
  const av1Lines = [
    `Reproduce: \`QUALITY_BENCH_PART=av1 npm run bench:quality\` (this section alone; the whole bench writes both), the sources of the section above (${seconds} s of ${width}×${height}p30).`,
    '',
    ...codecSweepReport(codecSweeps, av1Preset, DEFAULT_ENCODER_SETTINGS.av1Preset ?? DEFAULT_AV1_PRESET),
    '',
    ...clips.map((c) => `![${c.name}: H.264 and AV1](images/quality/${c.name}-av1.svg)`),
    ...(av1Only
      ? [
          '',
          `Timings **under load** (1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${cpus().length} cores):`,
          '',
          '| title | sweeps of both codecs |',
          '| --- | --- |',
          ...sweepTimes,
        ]
      : []),
  ];
  if (!av1Only) console.log(lines.join('\n'));
  if (withSweeps) console.log(av1Lines.join('\n'));
  if (record) {
    const doc = join(root, 'docs/benchmarks.md');
    if (!av1Only) await writeSection(doc, 'Quality: ladders and codecs at equal quality', lines.join('\n'));
    if (withSweeps) await writeSection(doc, AV1_SECTION, av1Lines.join('\n'));
    console.log('recorded in docs/benchmarks.md');
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
