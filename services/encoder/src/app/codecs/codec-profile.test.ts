import { describe, expect, it } from 'vitest';
import { buildEncodeArgs, encodeFilterGraph, videoOutputs, type EncodePlan } from '../encode-args.js';
import { planLadder, rungAt, type Rung } from '../ladder.js';
import { planPoster } from '../encode-args.js';
import { planTrickplay } from '../trickplay.js';
import { av1Level, av1MainCodecs } from './av1-level.js';
import {
  AV1_BITRATE_SHARE,
  av1Profile,
  codecOfCodecs,
  codecProfile,
  h264Profile,
  parseEncoderCodecs,
} from './index.js';

const valuesOf = (args: string[], flag: string): string[] =>
  args.flatMap((a, i) => (a === flag && args[i + 1] !== undefined ? [args[i + 1]!] : []));

describe('av1Level', () => {
  it('matches the levels SVT-AV1 detects itself for the standard rungs', () => {
    // seq_level_idx: 0 = 2.0, 1 = 2.1, 4 = 3.0, 5 = 3.1, 8 = 4.0, 9 = 4.1, 12 = 5.0, 13 = 5.1
    expect(av1Level(426, 240, 30, 450)).toBe(0);
    expect(av1Level(640, 360, 30, 700)).toBe(1);
    expect(av1Level(854, 480, 30, 1100)).toBe(4);
    expect(av1Level(1280, 720, 30, 2000)).toBe(5);
    expect(av1Level(1920, 1080, 30, 3600)).toBe(8);
    expect(av1Level(1920, 1080, 60, 5000)).toBe(9);
    expect(av1Level(3840, 2160, 30, 11000)).toBe(12);
    expect(av1Level(3840, 2160, 60, 15000)).toBe(13);
  });

  it('rises with the peak rate: 1080p30 over the 4.0 Main tier limit needs 4.1', () => {
    expect(av1Level(1920, 1080, 30, 12_000)).toBe(8);
    expect(av1Level(1920, 1080, 30, 12_001)).toBe(9);
  });

  it('never falls as size, rate or bit rate grow', () => {
    let last = 0;
    for (const [w, h] of [
      [256, 144],
      [426, 240],
      [640, 360],
      [854, 480],
      [1280, 720],
      [1920, 1080],
      [2560, 1440],
      [3840, 2160],
    ] as const) {
      const level = av1Level(w, h, 30, 500);
      expect(level).toBeGreaterThanOrEqual(last);
      expect(av1Level(w, h, 60, 500)).toBeGreaterThanOrEqual(level);
      last = level;
    }
  });
});

describe('codec profiles', () => {
  const h264Rungs = planLadder({
    width: 1920,
    height: 1080,
    fps: 30,
    probeBitrateKbps: 2000,
    probePixels: 960 * 540,
  });

  it('names the stream in RFC 6381 form', () => {
    expect(av1MainCodecs(8)).toBe('av01.0.08M.08');
    expect(av1MainCodecs(13)).toBe('av01.0.13M.08');
    expect(h264Profile.codecs(h264Rungs[0]!)).toMatch(/^avc1\.6400[0-9a-f]{2}$/);
    expect(codecOfCodecs('av01.0.08M.08,mp4a.40.2')).toBe('av1');
    expect(codecOfCodecs('avc1.640028,mp4a.40.2')).toBe('h264');
    // Old assets (and anything unknown) are H.264.
    expect(codecOfCodecs('')).toBe('h264');
  });

  it('gives AV1 the H.264 sizes at a share of the bit rate, with its own levels', () => {
    const av1 = av1Profile.ladder(h264Rungs, 30);
    expect(av1.map((r) => `${r.width}x${r.height}`)).toEqual(h264Rungs.map((r) => `${r.width}x${r.height}`));
    av1.forEach((r, i) => {
      expect(r.bitrateKbps).toBe(Math.round(h264Rungs[i]!.bitrateKbps * AV1_BITRATE_SHARE));
      expect(r.maxrateKbps).toBe(Math.round(r.bitrateKbps * 1.5));
      expect(r.level).toBe(av1Level(r.width, r.height, 30, r.maxrateKbps));
    });
    expect(av1Profile.codecs(av1[0]!)).toBe('av01.0.08M.08');
    expect(av1Profile.videoDir(av1[0]!)).toBe('video_1080p_av1');
    expect(h264Profile.videoDir(h264Rungs[0]!)).toBe('video_1080p');
  });

  it("makes a rung at any target with the family's VBV and level (bench/quality sweeps rates through it)", () => {
    const size = { name: '720p', width: 1280, height: 720 };
    const av1 = av1Profile.rungAt(size, 1000.4, 30);
    expect(av1).toEqual({ ...size, bitrateKbps: 1000, maxrateKbps: 1500, bufsizeKbps: 2000, level: 5 });
    const h264 = h264Profile.rungAt(size, 1000, 30);
    expect([h264.bitrateKbps, h264.maxrateKbps, h264.bufsizeKbps]).toEqual([1000, 1500, 2000]);
    // The ladder is the same rule at AV1_BITRATE_SHARE of each H.264 rung.
    expect(av1Profile.ladder([h264], 30)).toEqual([av1Profile.rungAt(size, 1000 * AV1_BITRATE_SHARE, 30)]);
  });

  it('reads ENCODER_CODECS: H.264 always first and present, unknown names refused', () => {
    expect(parseEncoderCodecs('h264')).toEqual(['h264']);
    expect(parseEncoderCodecs('h264,av1')).toEqual(['h264', 'av1']);
    expect(parseEncoderCodecs(' AV1 ')).toEqual(['h264', 'av1']);
    expect(() => parseEncoderCodecs('h264,vp9')).toThrow(/vp9/);
    expect(codecProfile('av1')).toBe(av1Profile);
  });
});

/** An encode of a silent `width`×`height` source with `rungs` in H.264 and the AV1 ladder made from them. */
function twoFamilyPlan(width: number, height: number, rungs: Rung[]): EncodePlan {
  return {
    sourcePath: '/jobs/a1/source',
    source: {
      demuxer: 'mov',
      durationSeconds: 60,
      videoStreamIndex: 0,
      videoCodec: 'h264',
      width,
      height,
      fps: 30,
      fpsRational: '30/1',
      frames: 1800,
      audioTracks: [],
      subtitleTracks: [],
    },
    outputFps: '30/1',
    fps: 30,
    segmentSeconds: 4,
    preset: 'veryfast',
    threads: undefined,
    rungs,
    extraLadders: [{ codec: av1Profile, rungs: av1Profile.ladder(rungs, 30), settings: { preset: '11' } }],
    audio: [],
    subtitles: [],
    poster: planPoster(width, height, 60),
    trickplay: planTrickplay(width, height, 60),
  };
}

describe('one run for H.264 and AV1', () => {
  const rungs = planLadder({
    width: 1920,
    height: 1080,
    fps: 30,
    probeBitrateKbps: 2000,
    probePixels: 960 * 540,
  });
  const av1 = av1Profile.ladder(rungs, 30);
  const plan: EncodePlan = {
    ...twoFamilyPlan(1920, 1080, rungs),
    threads: 4,
    audio: [{ index: 1, bitrateKbps: 128, channels: 2 }],
  };
  plan.source.audioTracks = [
    { index: 1, language: 'en', title: undefined, channels: 2, codec: 'aac', default: true },
  ];
  const args = buildEncodeArgs(plan);

  it('feeds both families from one decode and one scaling cascade', () => {
    expect(valuesOf(args, '-i')).toHaveLength(1);
    const graph = encodeFilterGraph(plan);
    expect(graph.match(/scale=1920:1080/g)).toHaveLength(1);
    expect(graph).toContain('[c0]scale=1920:1080,setsar=1,split=3[v0][v0x1][c1]');
    expect(graph).toContain('[c4]scale=426:240,setsar=1,split=2[v4][v4x1]');
    for (const label of ['[v0]', '[v0x1]', '[v4x1]', '[c4]']) {
      const uses = graph.split(label).length - 1 + args.filter((a) => a === label).length;
      expect(uses, label).toBe(2);
    }
  });

  it('numbers H.264 streams first, then AV1, each with its own options', () => {
    const outputs = videoOutputs(plan);
    expect(outputs.map((o) => `${o.ladder.codec.id}:${o.rung.name}`)).toEqual([
      ...rungs.map((r) => `h264:${r.name}`),
      ...av1.map((r) => `av1:${r.name}`),
    ]);
    expect(valuesOf(args, '-var_stream_map')).toEqual(['v:0 v:1 v:2 v:3 v:4 v:5 v:6 v:7 v:8 v:9 a:0']);
    // H.264's family options stay unscoped, as in an H.264-only run; AV1 overrides them per stream.
    expect(valuesOf(args, '-c:v')).toEqual(['libx264', 'mjpeg', 'mjpeg']);
    expect(valuesOf(args, '-profile:v')).toEqual(['high']);
    expect(valuesOf(args, '-c:v:5')).toEqual(['libsvtav1']);
    expect(valuesOf(args, '-preset:v:5')).toEqual(['11']);
    expect(valuesOf(args, '-profile:v:5')).toEqual(['main']);
    expect(valuesOf(args, '-svtav1-params:v:5')).toEqual(['level=40:lp=1']);
    expect(valuesOf(args, '-b:v:5')).toEqual([`${av1[0]!.bitrateKbps}k`]);
    expect(valuesOf(args, '-level:v:5')).toEqual([]);
    expect(valuesOf(args, '-level:v:0')).toHaveLength(1);
    // One GOP rule for both: AV1 segments cut at the same frames as H.264's.
    expect(valuesOf(args, '-g')).toEqual(['120']);
  });
});

describe('several rungs of one size (a hull ladder), with AV1 beside them', () => {
  const size720 = { name: '720p', width: 1280, height: 720 };
  const rungs = [
    rungAt(size720, 4000, 30),
    rungAt({ ...size720, name: '720p-2500k' }, 2500, 30),
    rungAt({ name: '360p', width: 640, height: 360 }, 600, 30),
  ];
  const plan = twoFamilyPlan(1280, 720, rungs);

  it('scales the size once, and feeds each AV1 rung from its own H.264 rung (matched by name)', () => {
    const graph = encodeFilterGraph(plan);
    expect(graph).toContain('[c0]scale=1280:720,setsar=1,split=3[v0][v0x1][c1]');
    expect(graph).not.toContain('[c1]scale');
    expect(graph).toContain('[c1]null,split=3[v1][v1x1][c2]');
    const outputs = videoOutputs(plan);
    expect(outputs.map((o) => `${o.ladder.codec.id}:${o.rung.name}:${o.label}`)).toEqual([
      'h264:720p:[v0]',
      'h264:720p-2500k:[v1]',
      'h264:360p:[v2]',
      'av1:720p:[v0x1]',
      'av1:720p-2500k:[v1x1]',
      'av1:360p:[v2x1]',
    ]);
    expect(new Set(outputs.map((o) => o.ladder.codec.videoDir(o.rung))).size).toBe(outputs.length);
    // Every labelled output is consumed exactly once.
    const args = buildEncodeArgs(plan);
    for (const label of ['[v0x1]', '[v1x1]', '[v2x1]', '[c1]', '[c2]']) {
      const uses = graph.split(label).length - 1 + args.filter((a) => a === label).length;
      expect(uses, label).toBe(2);
    }
  });
});
