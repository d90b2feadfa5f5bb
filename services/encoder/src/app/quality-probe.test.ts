import { describe, expect, it } from 'vitest';
import { referenceTopKbps } from './ladder-hull.js';
import type { SourceInfo } from './probe.js';
import {
  parseSsimSummaries,
  planQualityProbe,
  PROBE_RUN_PIXELS,
  PROBE_SCORE_RUN_SIZE,
  probeEncodeRuns,
  probePoints,
  probeScoreRuns,
  qualityProbeEncodeArgs,
  qualityProbeMeasureArgs,
  PROBE_RATE_SHARES,
} from './quality-probe.js';

const info = { width: 1920, height: 1080, videoStreamIndex: 0, demuxer: 'matroska' } as SourceInfo;
const samples = [
  { startSeconds: 6, durationSeconds: 2 },
  { startSeconds: 30, durationSeconds: 2 },
];
const complexity = { samples, width: 960, height: 540, crf: 23 };
const encode = { preset: 'veryfast', fps: 30, segmentSeconds: 4 };
const plan = () => planQualityProbe(info, complexity, encode);
const n = 8 * PROBE_RATE_SHARES.length;

describe('planQualityProbe', () => {
  it('probes every candidate size at shares of its fixed top rate, and scores at the source size up to 1080p', () => {
    const p = plan();
    expect(p.sizes.map((s) => s.name)).toEqual([
      '1080p',
      '900p',
      '720p',
      '540p',
      '480p',
      '432p',
      '360p',
      '240p',
    ]);
    expect(p.points).toHaveLength(n);
    const at720 = p.points.filter((x) => x.rung.name === '720p').map((x) => x.rung.bitrateKbps);
    const top720 = referenceTopKbps(1280 * 720, 30);
    expect(at720).toEqual(PROBE_RATE_SHARES.map((s) => Math.round(top720 * s)));
    // Each a rung as the ladder makes it: its VBV and level.
    expect(p.points.every((x) => x.rung.maxrateKbps === Math.round(x.rung.bitrateKbps * 1.5))).toBe(true);
    expect(p.points.every((x) => x.rung.bufsizeKbps === x.rung.bitrateKbps * 2 && x.rung.level > 0)).toBe(
      true,
    );
    expect(p.measure).toEqual({ width: 1920, height: 1080 });
    const uhd = planQualityProbe({ ...info, width: 3840, height: 2160 }, complexity, encode);
    expect(uhd.measure).toEqual({ width: 1920, height: 1080 });
  });
});

describe('the probe command lines', () => {
  it('encodes every point from one decode of the samples, under the input policy, as a rung is encoded', () => {
    const args = qualityProbeEncodeArgs(plan(), info, '/in/source.mkv', '30/1');
    expect(args.filter((a) => a === '-i')).toHaveLength(2);
    expect(args.filter((a) => a === 'libx264')).toHaveLength(n);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('concat=n=2:v=1:a=0[src]');
    expect(graph).toContain('[src]split=8');
    expect(graph).toContain(`split=${PROBE_RATE_SHARES.length}[e0][e1]`);
    expect(args).toContain('-protocol_whitelist');
    // The first output: ABR with the rung's VBV, one-segment closed GOPs, one thread, not CRF.
    const first = args.slice(args.indexOf('[e0]'), args.indexOf('.quality-0.mkv') + 1);
    const rung = plan().points[0]!.rung;
    expect(first).not.toContain('-crf');
    for (const [flag, value] of [
      ['-b:v:0', `${rung.bitrateKbps}k`],
      ['-maxrate:v:0', `${rung.maxrateKbps}k`],
      ['-bufsize:v:0', `${rung.bufsizeKbps}k`],
      ['-g', '120'],
      ['-sc_threshold', '0'],
      ['-preset', 'veryfast'],
      ['-threads', '1'],
    ])
      expect(first[first.indexOf(flag!) + 1]).toBe(value);
    expect(args.filter((a) => a.startsWith('.quality-'))).toHaveLength(n);
  });

  it('splits the encodes into runs of at most five 1080p encoders, every point once, in plan order', () => {
    // 40 encoders in one ffmpeg at 1080p ran out of the 3 GiB analyse memory limit.
    const p = plan();
    const runs = probeEncodeRuns(p);
    expect(runs.flat()).toEqual(p.points.map((_, j) => j));
    expect(runs.length).toBe(3);
    for (const run of runs) {
      const pixels = run.reduce((sum, j) => sum + p.points[j]!.rung.width * p.points[j]!.rung.height, 0);
      expect(run.length === 1 || pixels <= PROBE_RUN_PIXELS).toBe(true);
    }
    // A 720p source: two runs; a 4K one: its own size's points one to a run (each is above the budget).
    expect(
      probeEncodeRuns(planQualityProbe({ ...info, width: 1280, height: 720 }, complexity, encode)),
    ).toHaveLength(2);
    const uhd = probeEncodeRuns(planQualityProbe({ ...info, width: 3840, height: 2160 }, complexity, encode));
    expect(uhd.slice(0, PROBE_RATE_SHARES.length).every((run) => run.length === 1)).toBe(true);
    // A run encodes its points only, each scaled from its own size's branch.
    const second = qualityProbeEncodeArgs(p, info, '/in/source.mkv', '30/1', runs[1]);
    expect(second.filter((a) => a === 'libx264')).toHaveLength(runs[1]!.length);
    expect(second.filter((a) => a.startsWith('.quality-'))).toEqual(runs[1]!.map((j) => `.quality-${j}.mkv`));
    const graph = second[second.indexOf('-filter_complex') + 1]!;
    // 900p's five rates and the first three of 720p's.
    expect(graph).toContain('[src]split=2[s1][s2]');
    expect(graph).toContain(
      `[s1]scale=1600:900:flags=bicubic,setsar=1,split=${PROBE_RATE_SHARES.length}[e5]`,
    );
    expect(graph).toContain('[s2]scale=1280:720:flags=bicubic,setsar=1,split=3[e10][e11][e12]');
  });

  it('scores the probes ten to a run, each decoded on one thread', () => {
    const p = plan();
    const runs = probeScoreRuns(p);
    expect(runs.flat()).toEqual(p.points.map((_, j) => j));
    expect(Math.max(...runs.map((r) => r.length))).toBe(PROBE_SCORE_RUN_SIZE);
    const args = qualityProbeMeasureArgs(p, info, '/in/source.mkv', '30/1', runs[1]);
    expect(args.filter((a) => a === '-i')).toHaveLength(PROBE_SCORE_RUN_SIZE + 2);
    expect(args.slice(args.indexOf('-threads'), args.indexOf('-threads') + 5)).toEqual([
      '-threads',
      '1',
      '-f',
      'matroska',
      '-i',
    ]);
    expect(args[args.indexOf('-i') + 1]).toBe(`.quality-${PROBE_SCORE_RUN_SIZE}.mkv`);
  });

  it('scores each probe against the samples in the plan order, every third frame', () => {
    const args = qualityProbeMeasureArgs(plan(), info, '/in/source.mkv', '30/1');
    expect(args.filter((a) => a === '-i')).toHaveLength(n + 2);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph.match(/ssim=shortest=1/g)).toHaveLength(n);
    expect(graph).toContain(`[0:v]select='not(mod(n\\,3))'`);
    expect(graph).toContain(`[${n}:0]fps=30/1`);
  });
});

describe('parseSsimSummaries and probePoints', () => {
  it('reads the summaries by filter instance, whatever order ffmpeg prints them in', () => {
    const log = [
      '[Parsed_ssim_12 @ 0x1] SSIM Y:0.990000 (20.0) U:0.99 (20.0) V:0.99 (20.0) All:0.950000 (13.0)',
      '[Parsed_ssim_11 @ 0x2] SSIM Y:0.990000 (20.0) U:0.99 (20.0) V:0.99 (20.0) All:0.980000 (17.0)',
    ].join('\n');
    expect(parseSsimSummaries(log)).toEqual([0.98, 0.95]);
  });

  it('pairs targets with spent rates and scores, and drops a probe that wrote nothing', () => {
    const p = plan();
    const small = { ...p, points: p.points.filter((x) => x.rung.name === '240p').slice(0, 2) };
    const [a, b] = small.points.map((x) => x.rung);
    expect(probePoints(small, [300, 0], [0.97, 0.9])).toEqual([
      { width: 426, height: 240, targetKbps: a!.bitrateKbps, kbps: 300, quality: 0.97 },
    ]);
    expect(b!.bitrateKbps).toBeLessThan(a!.bitrateKbps);
  });
});
