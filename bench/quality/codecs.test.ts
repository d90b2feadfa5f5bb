import { describe, expect, it } from 'vitest';
import { av1Profile, h264Profile } from '../../services/encoder/src/app/codecs/index.js';
import type { VideoOutput } from '../../services/encoder/src/app/encode-args.js';
import { compareCodecs, sweepArgs, type SweepPoint } from './codecs.js';

const valuesOf = (args: string[], flag: string): string[] =>
  args.flatMap((a, i) => (a === flag && args[i + 1] !== undefined ? [args[i + 1]!] : []));

describe('sweepArgs', () => {
  const sizes = [
    { name: '720p', width: 1280, height: 720 },
    { name: '360p', width: 640, height: 360 },
  ];
  const settings = { presets: { h264: 'veryfast', av1: '11' }, threads: 4, segmentSeconds: 4, fps: 30 };
  const h264 = {
    codec: h264Profile,
    rungs: sizes.map((s) => h264Profile.rungAt(s, 1000, 30)),
    settings: { preset: 'veryfast' },
  };
  const av1 = {
    codec: av1Profile,
    rungs: sizes.map((s) => av1Profile.rungAt(s, 1000, 30)),
    settings: { preset: '11' },
  };
  const outputs: VideoOutput[] = [h264, av1].flatMap((ladder, k) =>
    ladder.rungs.map((rung, i) => ({ stream: k * 2 + i, ladder, rung, label: `[o${k}x${i}]` })),
  );
  const args = sweepArgs('/src.mkv', sizes, outputs, settings);

  it('encodes both codecs at every size from one decode, each size scaled once as the reference is', () => {
    expect(valuesOf(args, '-i')).toEqual(['/src.mkv']);
    const graph = valuesOf(args, '-filter_complex')[0]!;
    expect(graph).toContain('[s0]scale=1280:720:flags=bicubic,setsar=1,split=2[o0x0][o1x0]');
    expect(graph).toContain('[s1]scale=640:360:flags=bicubic,setsar=1,split=2[o0x1][o1x1]');
    expect(valuesOf(args, '-map')).toEqual(['[o0x0]', '[o0x1]', '[o1x0]', '[o1x1]']);
    expect(valuesOf(args, '-var_stream_map')).toEqual(['v:0 v:1 v:2 v:3']);
  });

  it("uses the production rate control: each codec's target, VBV and the segment's GOP", () => {
    expect(valuesOf(args, '-c:v:2')).toEqual(['libsvtav1']);
    expect(valuesOf(args, '-b:v:0')).toEqual(['1000k']);
    expect(valuesOf(args, '-maxrate:v:3')).toEqual(['1500k']);
    expect(valuesOf(args, '-bufsize:v:3')).toEqual(['2000k']);
    expect(valuesOf(args, '-g')).toEqual(['120']);
    expect(valuesOf(args, '-hls_segment_type')).toEqual(['fmp4']);
  });
});

describe('compareCodecs', () => {
  // Quality grows with log rate; AV1 reaches H.264's quality at 0.7 × its rate (−30 %).
  const curve = (codec: 'h264' | 'av1', name: string, scale: number, base: number): SweepPoint[] =>
    [250, 400, 630, 1000, 1600].map((kbps, i) => {
      const q = 0.9 + 0.02 * Math.log2(kbps / base / (codec === 'av1' ? 0.7 : 1));
      return {
        codec,
        name,
        width: 1280 * scale,
        height: 720 * scale,
        targetKbps: kbps,
        factor: [0.25, 0.4, 0.63, 1, 1.6][i]!,
        kbps,
        ssim: q,
        psnr: 30 + 100 * (q - 0.9),
        displaySsim: q - (1 - scale) * 0.01,
        displayPsnr: 30,
      };
    });
  const points = [
    ...curve('h264', '720p', 1, 400),
    ...curve('av1', '720p', 1, 400),
    ...curve('h264', '360p', 0.5, 200),
    ...curve('av1', '360p', 0.5, 200),
  ];

  it('gives the bits AV1 spends at equal quality, per rung and on the hulls', () => {
    const c = compareCodecs(points, 'h264', 'av1');
    expect(c.perRung.map((r) => r.name)).toEqual(['720p', '360p']);
    for (const r of c.perRung) {
      expect(r.ssim).toBeCloseTo(-0.3, 3);
      expect(r.psnr).toBeCloseTo(-0.3, 3);
      // AV1 at 0.7 × the 1000k H.264 rung's target: 700k, between its 630k and 1000k points.
      expect(r.share).toBeCloseTo(0.7, 3);
      expect(r.shareAtMost).toBe(false);
    }
    expect(c.hullSsim).toBeLessThan(-0.25);
    // Equal full-screen PSNR everywhere: no quality range, no figure.
    expect(c.hullPsnr).toBeUndefined();
  });

  it('is the inverse the other way round', () => {
    const c = compareCodecs(points, 'av1', 'h264');
    expect(c.perRung[0]!.ssim).toBeCloseTo(1 / 0.7 - 1, 3);
  });
});
