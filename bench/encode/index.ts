/**
 * Encoding benchmark (issue 3): on a 60 s 1080p30 noisy source made here, times
 *   (a) Marquee's encodeAsset end to end — probe, complexity probe, ladder, ONE ffmpeg for every rung,
 *       audio, poster and trickplay, measurement, master playlist;
 *   (b) the naive approach — one ffmpeg per rung in sequence, same rungs, preset and packaging;
 * and prints both, the ratio, the realtime factor, the CPU time each used and the machine. Writes the
 * `## Encoding` section of docs/benchmarks.md after a full-length run.
 *
 *   (c) with ENCODER_CODECS=h264,av1 — CPU seconds per second of source per codec (ENCODE_BENCH_AV1=0 skips it);
 *   (d) with ENCODER_LADDER=hull — what the ladder by measured quality costs to encode (ENCODE_BENCH_HULL=0 skips it);
 *
 *   npm run bench:encode            (ENCODE_BENCH_SECONDS=10 for a quick, unrecorded run)
 *   ENCODE_BENCH_ROUNDS=2           (a) and (b) twice each, in the order a b b a: the figures are means
 *   npm run bench:encode -- --chunked   (or ENCODE_BENCH_CHUNKED=1: chunked encoding on 1 and 2 encoders, chunked.ts)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_ENCODER_SETTINGS,
  encodeAsset,
  type EncodedAsset,
  type EncoderSettings,
} from '@marquee/encoder';
import { writeSection } from '../events/report.js';
import { childCpuSeconds } from './child-cpu.js';
import { naiveCommands, runNaive } from './naive.js';
import { prepareBenchSource } from './source.js';
import { subsection } from './subsection.js';

if (process.argv.includes('--chunked') || process.env.ENCODE_BENCH_CHUNKED === '1') {
  await import('./chunked.js');
  process.exit(0);
}

const seconds = Number(process.env.ENCODE_BENCH_SECONDS ?? 60);
const record = seconds === 60;
/**
 * (a) and (b) run one after the other, so a machine that gets faster or slower in between (another
 * tenant on the host, turbo) moves their ratio: CPU seconds of the same x264 work have differed by a
 * quarter between runs here. With n rounds they alternate a b b a a b …, which cancels a steady drift,
 * and the figures are the means.
 */
const rounds = Math.max(1, Math.floor(Number(process.env.ENCODE_BENCH_ROUNDS ?? 1)));

interface Timed<T> {
  result: T;
  wall: number;
  cpu: number;
}

async function timed<T>(work: () => Promise<T>): Promise<Timed<T>> {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const result = await work();
  return { result, wall: (performance.now() - t0) / 1000, cpu: childCpuSeconds() - cpu0 };
}

function meanOf(runs: readonly Timed<unknown>[]): { wall: number; cpu: number } {
  const mean = (pick: (r: Timed<unknown>) => number) =>
    runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
  return { wall: mean((r) => r.wall), cpu: mean((r) => r.cpu) };
}

const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-encode-'));
try {
  const { tools, source } = await prepareBenchSource(dir, seconds);

  const loadBefore = loadavg()[0]!;
  const { preset, threads } = DEFAULT_ENCODER_SETTINGS;
  const marquees: Timed<EncodedAsset>[] = [];
  const naives: Timed<void>[] = [];
  const runMarquee = async (i: number) => {
    console.log(`(a) Marquee encodeAsset…${rounds > 1 ? ` (${i + 1}/${rounds})` : ''}`);
    const workDir = join(dir, `marquee-${i}`);
    marquees.push(await timed(() => encodeAsset(tools, { sourcePath: source, workDir })));
    // The first one's outputs are (b)'s ladder; the rest only take disk space.
    if (i > 0) await rm(workDir, { recursive: true, force: true });
  };
  const runNaiveRound = async (i: number) => {
    console.log(`(b) naive, one ffmpeg per rung…${rounds > 1 ? ` (${i + 1}/${rounds})` : ''}`);
    const commands = naiveCommands(marquees[0]!.result, source, preset, threads);
    const workDir = join(dir, `naive-${i}`);
    naives.push(await timed(() => runNaive(tools.binaries.ffmpeg, commands, workDir)));
    await rm(workDir, { recursive: true, force: true });
  };
  for (let i = 0; i < rounds; i += 1) {
    // a b, then b a: (b) needs (a)'s ladder, so the first round starts with (a).
    if (i % 2 === 0) {
      await runMarquee(i);
      await runNaiveRound(i);
    } else {
      await runNaiveRound(i);
      await runMarquee(i);
    }
  }
  const marquee = { result: marquees[0]!.result, ...meanOf(marquees) };
  const naive = meanOf(naives);
  const asset = marquee.result;
  const perRound =
    rounds > 1
      ? `; per round (b)/(a) CPU ${marquees.map((m, i) => (naives[i]!.cpu / m.cpu).toFixed(2)).join(', ')}`
      : '';
  /** (a) again with other settings, unless its ENCODE_BENCH_* switch is 0. */
  const variant = async (
    label: string,
    what: string,
    switchName: string,
    settings: Partial<EncoderSettings>,
  ) => {
    if (process.env[switchName] === '0') return undefined;
    console.log(`${label} Marquee encodeAsset ${what}…`);
    const workDir = join(dir, `marquee-${label}`);
    const run = await timed(() =>
      encodeAsset(tools, { sourcePath: source, workDir }, { ...DEFAULT_ENCODER_SETTINGS, ...settings }),
    );
    await rm(workDir, { recursive: true, force: true });
    return run;
  };
  // (c) with AV1 beside H.264 (ENCODER_CODECS=h264,av1): what the AV1 ladder costs.
  const both = await variant('(c)', 'with H.264 and AV1', 'ENCODE_BENCH_AV1', { codecs: ['h264', 'av1'] });
  // (d) with the hull ladder (ENCODER_LADDER=hull, H.264 only): what choosing the ladder by measured
  // quality costs to encode — its quality probe and its rungs (issue 16 §2).
  const hull = await variant('(d)', 'with ENCODER_LADDER=hull', 'ENCODE_BENCH_HULL', { ladder: 'hull' });
  const hullLadder = hull?.result.renditions.map((r) => `${r.name} ${r.rung.bitrateKbps}k`).join(', ');
  // The same rungs as (a): the hull ladder declined the title (its grain guard) or its probe failed.
  const declined =
    hull !== undefined &&
    hullLadder === asset.renditions.map((r) => `${r.name} ${r.rung.bitrateKbps}k`).join(', ');
  const hullLine = hull
    ? `(d) hull ladder (${declined ? 'the same rungs as (a): it declined this title (a smaller size scores above the top size) or its probe failed (the warning above says which), so (d) − (a) is its quality probe alone' : hullLadder}): ${hull.wall.toFixed(1)} s wall, ${hull.cpu.toFixed(1)} CPU-s (${(hull.cpu / seconds).toFixed(2)} a second of source, ${(hull.cpu / marquee.cpu).toFixed(2)}× (a)), realtime factor ${(seconds / hull.wall).toFixed(2)}`
    : undefined;
  const loadAfter = loadavg()[0]!;
  // One row per codec family. AV1's is what adding it costs: (c) − (a), since the decode, scaling,
  // audio, poster and trickplay that (c) shares with (a) are paid once and counted in H.264's row.
  const codecRows: { codec: string; cpuPerSecond: number; what: string }[] = [
    {
      codec: 'h264',
      cpuPerSecond: marquee.cpu / seconds,
      what: `x264 ${preset}: (a), decode, scaling, audio, poster and trickplay included`,
    },
    ...(both
      ? [
          {
            codec: 'av1',
            cpuPerSecond: (both.cpu - marquee.cpu) / seconds,
            what: `SVT-AV1 preset ${DEFAULT_ENCODER_SETTINGS.av1Preset}: (c) − (a), the AV1 encoders alone`,
          },
          {
            codec: 'h264,av1',
            cpuPerSecond: both.cpu / seconds,
            what: `(c), one run for both, realtime factor ${(seconds / both.wall).toFixed(2)}`,
          },
        ]
      : []),
  ];
  const perCodec = codecRows
    .map((r) => `CPU-s per second of source, ${r.codec}: ${r.cpuPerSecond.toFixed(2)} (${r.what})`)
    .join('\n');

  const ratio = naive.wall / marquee.wall;
  // The best ratio any schedule of (a)'s work could reach here: all of its CPU time spread perfectly
  // over every core, against (b)'s measured wall time. A goal above it needs (a) to do less work.
  const cores = cpus().length;
  const bound = naive.wall / (marquee.cpu / cores);
  const rtf = seconds / marquee.wall;
  const ladder = asset.renditions.map((r) => `${r.width}×${r.height} ${r.rung.bitrateKbps}k`).join(', ');
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ffmpeg ${tools.binaries.version} (${tools.binaries.source})`;
  const lines = [
    `machine: ${machine}`,
    `ladder (per-title, from the complexity probe): ${ladder}; x264 ${preset}, threads ${threads ?? 'auto'}; AAC ${asset.audio.length} track(s); trickplay ${asset.trickplay.count} thumbnails`,
    `(a) Marquee encodeAsset: ${marquee.wall.toFixed(1)} s wall, ${marquee.cpu.toFixed(1)} CPU-s, realtime factor ${rtf.toFixed(2)}`,
    `(b) naive, one ffmpeg per rung: ${naive.wall.toFixed(1)} s wall, ${naive.cpu.toFixed(1)} CPU-s, realtime factor ${(seconds / naive.wall).toFixed(2)}`,
    `ratio (b)/(a): ${ratio.toFixed(2)}× wall, ${(naive.cpu / marquee.cpu).toFixed(2)}× CPU; bound for (a)'s work on ${cores} cores: ${bound.toFixed(2)}×${perRound}`,
    perCodec,
    ...(hullLine ? [hullLine] : []),
    `1-minute load average: ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
  ];
  console.log(lines.join('\n'));

  if (record) {
    const doc = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    // `### Chunked` is bench/encode/chunked.ts's, measured apart: kept as it is.
    const chunked = subsection(await readFile(doc, 'utf8'), 'Encoding', 'Chunked');
    await writeSection(
      doc,
      'Encoding',
      [
        'Reproduce: `npm run bench:encode` (about 10 minutes, 3 of them the AV1 run; `ENCODE_BENCH_SECONDS=10` for a quick, unrecorded run, `ENCODE_BENCH_AV1=0` without AV1, `ENCODE_BENCH_HULL=0` without the hull ladder, `ENCODE_BENCH_ROUNDS=n` to alternate (a) and (b) n times).',
        `Machine: ${machine}. 1-minute load average ${loadBefore.toFixed(1)} before the run and ${loadAfter.toFixed(1)} after: other work`,
        'shares the two cores, so the wall times are pessimistic; the CPU seconds (of the ffmpeg processes) move less with contention.',
        '',
        `Source: ${seconds} s of 1080p30 testsrc2 with temporal noise at 20 Mbit/s, stereo AAC (bench/encode/source.ts).`,
        `Ladder chosen by the complexity probe: ${ladder}; x264 ${preset}, H.264 High, 4 s closed GOPs, CMAF HLS.`,
        '',
        '| method | wall | CPU | realtime factor |',
        '| --- | --- | --- | --- |',
        `| (a) Marquee \`encodeAsset\`: probe, complexity probe, ladder, one ffmpeg (all rungs + audio + poster + ${asset.trickplay.count} trickplay thumbnails), master playlist | ${marquee.wall.toFixed(1)} s | ${marquee.cpu.toFixed(1)} s | ${rtf.toFixed(2)} |`,
        `| (b) naive: one ffmpeg per rung in sequence (same rungs, preset, packaging) + one for audio | ${naive.wall.toFixed(1)} s | ${naive.cpu.toFixed(1)} s | ${(seconds / naive.wall).toFixed(2)} |`,
        ...(rounds > 1
          ? [
              '',
              `Means of ${rounds} runs each, alternated (a b b a …, \`ENCODE_BENCH_ROUNDS=${rounds}\`)${perRound}.`,
            ]
          : []),
        '',
        `(a) is ${ratio.toFixed(2)}× faster than (b) (goal ≥ 2.0×), at a realtime factor of ${rtf.toFixed(2)} (goal ≥ 0.8).`,
        `CPU: (a) ${(marquee.cpu / seconds).toFixed(2)} CPU-s per second of video, everything included; (b) ${(naive.cpu / seconds).toFixed(2)}`,
        `(${(naive.cpu / marquee.cpu).toFixed(2)}× as much: it decodes, and scales from, the full-size source once per rung).`,
        ...(both
          ? [
              '',
              `Per codec (issue 15): (c) the same encode with \`ENCODER_CODECS=h264,av1\` took ${both.wall.toFixed(1)} s wall, ${both.cpu.toFixed(1)} CPU-s.`,
              '',
              '| ENCODER_CODECS family | CPU-s per second of source | what |',
              '| --- | --- | --- |',
              ...codecRows.map((r) => `| ${r.codec} | ${r.cpuPerSecond.toFixed(2)} | ${r.what} |`),
            ]
          : []),
        ...(hullLine
          ? [
              '',
              `Ladder by measured quality (issue 16 §2, \`ENCODER_LADDER=hull\`, H.264 only): ${hullLine.slice(4)}.`,
              'Its quality probe and its rungs are the price of the bits it saves (docs/benchmarks.md, Quality).',
            ]
          : []),
        '',
        `**Why the 2.0× goal is out of reach here.** (a) keeps both cores busy (${(marquee.cpu / marquee.wall).toFixed(2)} CPU-s per second of wall time), so`,
        `its wall time cannot fall below its CPU time over ${cores} cores, ${(marquee.cpu / cores).toFixed(1)} s: against (b)'s ${naive.wall.toFixed(1)} s that bounds the`,
        `ratio at **${bound.toFixed(2)}×** for any schedule of the same work. Nearly all of that work is x264 encoding the rungs at`,
        'the preset both runs share, which one decode cannot save: (b) differs only by its extra decodes and scales.',
        "(b) is not slow enough for 2×: each of its ffmpeg runs keeps x264's frame threads busy on both cores",
        `(${(naive.cpu / naive.wall).toFixed(2)} CPU-s per second). FACTS.md's 142.8 s for its sequential ladder, which the goal was set from, is (judging by its wall time) a`,
        'reference that used the cores far less. What would reach 2× is less encoding work (a faster preset than',
        "(b)'s, fewer rungs) — not a fair comparison — or more cores than x264 can use per rung, where running every",
        'rung at once pulls ahead.',
        ...(loadBefore > 2.5
          ? [
              '',
              `**Contended run.** With a load average of ${loadBefore.toFixed(1)} on two cores, neither run got anything like`,
              'two cores, so these wall times do not test the goals, which are about using both cores of an otherwise idle',
              "machine: (a) keeps every rung's x264 busy in one process, while (b) runs one encoder at a time. Rerun on an",
              'idle machine to check them; the CPU figures above are the part of this run that contention does not distort.',
            ]
          : []),
        ...(chunked ? ['', chunked] : []),
      ].join('\n'),
    );
    console.log(`recorded in ${doc}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
