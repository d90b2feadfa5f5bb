import { describe, expect, it } from 'vitest';
import type { SourceInfo } from './probe.js';
import {
  parseSsimSummaries,
  planQualityProbe,
  probePoints,
  qualityProbeEncodeArgs,
  qualityProbeMeasureArgs,
  PROBE_CRFS,
} from './quality-probe.js';

const info = { width: 1920, height: 1080, videoStreamIndex: 0, demuxer: 'matroska' } as SourceInfo;
const samples = [
  { startSeconds: 6, durationSeconds: 2 },
  { startSeconds: 30, durationSeconds: 2 },
];

describe('planQualityProbe', () => {
  it('probes every rung size with every CRF and scores at the source size up to 1080p', () => {
    const plan = planQualityProbe(info, { samples, width: 960, height: 540, crf: 23 });
    expect(plan.sizes.map((s) => s.name)).toEqual(['1080p', '720p', '480p', '360p', '240p']);
    expect(plan.crfs).toEqual(PROBE_CRFS);
    expect(plan.measure).toEqual({ width: 1920, height: 1080 });
    const uhd = planQualityProbe(
      { ...info, width: 3840, height: 2160 },
      { samples, width: 960, height: 540, crf: 23 },
    );
    expect(uhd.measure).toEqual({ width: 1920, height: 1080 });
  });
});

describe('the probe command lines', () => {
  const plan = planQualityProbe(info, { samples, width: 960, height: 540, crf: 23 });

  it('encodes sizes × CRFs from one decode of the samples, under the input policy', () => {
    const args = qualityProbeEncodeArgs(plan, info, '/in/source.mkv', 'veryfast', '30/1');
    expect(args.filter((a) => a === '-i')).toHaveLength(2);
    expect(args.filter((a) => a === 'libx264')).toHaveLength(5 * PROBE_CRFS.length);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('concat=n=2:v=1:a=0[src]');
    expect(graph).toContain('[src]split=5');
    expect(args).toContain('-protocol_whitelist');
  });

  it('scores each probe against the samples in size-then-CRF order, every third frame', () => {
    const args = qualityProbeMeasureArgs(plan, info, '/in/source.mkv', '30/1');
    const n = 5 * PROBE_CRFS.length;
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

  it('pairs rates with scores and drops a probe that wrote nothing', () => {
    const small = { ...plan(), sizes: [{ name: '240p', width: 426, height: 240 }], crfs: [18, 36] };
    expect(probePoints(small, [300, 0], [0.97, 0.9])).toEqual([
      { width: 426, height: 240, kbps: 300, quality: 0.97 },
    ]);
  });
});

function plan() {
  return planQualityProbe(info, { samples, width: 960, height: 540, crf: 23 });
}
