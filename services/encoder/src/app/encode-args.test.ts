import { describe, expect, it } from 'vitest';
import {
  buildEncodeArgs,
  encodeFilterGraph,
  outputFrameRate,
  planPoster,
  videoCodecArgs,
  videoOutputs,
  type EncodePlan,
} from './encode-args.js';
import { planLadder } from './ladder.js';
import type { SourceInfo } from './probe.js';
import { planTrickplay } from './trickplay.js';

const source: SourceInfo = {
  demuxer: 'mov',
  durationSeconds: 60,
  videoStreamIndex: 0,
  videoCodec: 'h264',
  width: 1920,
  height: 1080,
  fps: 30,
  fpsRational: '30/1',
  frames: 1800,
  audioTracks: [
    { index: 1, language: 'en', title: undefined, channels: 2, codec: 'aac', default: true },
    { index: 2, language: 'fr', title: undefined, channels: 6, codec: 'ac3', default: false },
  ],
  subtitleTracks: [{ index: 3, language: 'en', title: undefined, codec: 'mov_text', text: true }],
};

function plan(overrides: Partial<EncodePlan> = {}): EncodePlan {
  return {
    sourcePath: '/jobs/a1/source',
    source,
    outputFps: '30/1',
    fps: 30,
    segmentSeconds: 4,
    preset: 'veryfast',
    threads: undefined,
    rungs: planLadder({ width: 1920, height: 1080, fps: 30, probeBitrateKbps: 2000, probePixels: 960 * 540 }),
    audio: [
      { index: 1, bitrateKbps: 128, channels: 2 },
      { index: 2, bitrateKbps: 128, channels: 2 },
    ],
    subtitles: [3],
    poster: planPoster(1920, 1080, 60),
    trickplay: planTrickplay(1920, 1080, 60),
    ...overrides,
  };
}

/** The value following each occurrence of `flag`. */
const valuesOf = (args: string[], flag: string): string[] =>
  args.flatMap((a, i) => (a === flag && args[i + 1] !== undefined ? [args[i + 1]!] : []));

describe('buildEncodeArgs', () => {
  const args = buildEncodeArgs(plan());

  it('decodes the upload once, through the hostile-input policy', () => {
    expect(valuesOf(args, '-i')).toEqual(['file:/jobs/a1/source']);
    const input = args.indexOf('-i');
    const inputOptions = args.slice(0, input);
    expect(valuesOf(inputOptions, '-protocol_whitelist')).toEqual(['file']);
    expect(valuesOf(inputOptions, '-format_whitelist')[0]).toContain('mov');
    expect(valuesOf(inputOptions, '-f')).toEqual(['mov']);
    expect(valuesOf(inputOptions, '-enable_drefs')).toEqual(['0']);
    expect(args).toContain('-nostdin');
  });

  it('splits one decode into the ladder cascade, the poster and the trickplay', () => {
    const graph = valuesOf(args, '-filter_complex')[0]!;
    expect(graph).toContain('fps=30/1,format=yuv420p,split=3[c0][sp][st]');
    expect(graph).toContain('[c0]scale=1920:1080,setsar=1,split=2[v0][c1]');
    expect(graph).toContain('[c1]scale=1280:720,setsar=1,split=2[v1][c2]');
    expect(graph).toContain('[c4]scale=426:240,setsar=1[v4]');
    // Every labelled output is consumed exactly once.
    for (const label of ['[v0]', '[v4]', '[c1]', '[c4]', '[sp]', '[st]', '[poster]', '[trick]']) {
      const uses = graph.split(label).length - 1 + args.filter((a) => a === label).length;
      expect(uses, label).toBe(2);
    }
    expect(graph).toMatch(/\[sp\]trim=start=6:duration=1,scale=1280:720/);
    expect(graph).toMatch(/\[st\]fps=1\/2,scale=160:90,setsar=1,tile=10x3\[trick\]/);
  });

  it('encodes H.264 High with closed, aligned 4 s GOPs and per-rung rate control', () => {
    expect(valuesOf(args, '-profile:v')).toEqual(['high']);
    expect(valuesOf(args, '-g')).toEqual(['120']);
    expect(valuesOf(args, '-keyint_min')).toEqual(['120']);
    expect(valuesOf(args, '-sc_threshold')).toEqual(['0']);
    expect(valuesOf(args, '-force_key_frames')).toEqual(['expr:gte(t,n_forced*4)']);
    expect(valuesOf(args, '-flags:v')).toEqual(['+cgop']);
    const rungs = plan().rungs;
    rungs.forEach((r, i) => {
      expect(valuesOf(args, `-b:v:${i}`)).toEqual([`${r.bitrateKbps}k`]);
      expect(valuesOf(args, `-maxrate:v:${i}`)).toEqual([`${r.maxrateKbps}k`]);
      expect(valuesOf(args, `-level:v:${i}`)).toHaveLength(1);
    });
  });

  it('packages CMAF HLS with every rung and every audio track as its own variant', () => {
    expect(valuesOf(args, '-hls_segment_type')).toEqual(['fmp4']);
    expect(valuesOf(args, '-hls_time')).toEqual(['4']);
    expect(valuesOf(args, '-var_stream_map')).toEqual(['v:0 v:1 v:2 v:3 v:4 a:0 a:1']);
    expect(valuesOf(args, '-map').slice(0, 7)).toEqual([
      '[v0]',
      '[v1]',
      '[v2]',
      '[v3]',
      '[v4]',
      '0:1',
      '0:2',
    ]);
    expect(valuesOf(args, '-ac:a:1')).toEqual(['2']);
  });

  it('writes the poster, the trickplay sheets and one WebVTT per text subtitle stream', () => {
    expect(args).toContain('poster.jpg');
    expect(args).toContain('trickplay/sheet_%03d.jpg');
    const sub = args.indexOf('0:3');
    expect(args.slice(sub - 1, sub + 7)).toEqual([
      '-map',
      '0:3',
      '-c:s',
      'webvtt',
      '-f',
      'webvtt',
      'subs_0/extracted.vtt',
    ]);
  });

  it('sends a normalised audio track through its loudness filter, an untouched one straight from the source', () => {
    const normalised = buildEncodeArgs(
      plan({
        audio: [
          { index: 1, bitrateKbps: 128, channels: 2, filter: 'loudnorm=I=-16:linear=true' },
          { index: 2, bitrateKbps: 128, channels: 2 },
        ],
      }),
    );
    const graph = normalised[normalised.indexOf('-filter_complex') + 1]!;
    expect(graph.split(';')).toContain('[0:1]loudnorm=I=-16:linear=true[a0]');
    expect(graph).not.toContain('[0:2]');
    const maps = valuesOf(normalised, '-map');
    expect(maps.slice(maps.indexOf('[a0]'), maps.indexOf('[a0]') + 2)).toEqual(['[a0]', '0:2']);
  });

  it('omits audio options for a silent film and passes threads when asked', () => {
    const silent = buildEncodeArgs(plan({ audio: [], subtitles: [], threads: 2 }));
    expect(silent).not.toContain('-c:a');
    expect(valuesOf(silent, '-var_stream_map')).toEqual(['v:0 v:1 v:2 v:3 v:4']);
    expect(valuesOf(silent, '-threads')).toEqual(['2']);
  });

  it('scales a single-rung ladder without a cascade', () => {
    const tiny = planLadder({
      width: 200,
      height: 112,
      fps: 30,
      probeBitrateKbps: 100,
      probePixels: 200 * 112,
    });
    const graph = encodeFilterGraph(plan({ rungs: tiny }));
    expect(graph).toContain('[c0]scale=200:112,setsar=1[v0];');
    expect(graph).not.toContain('[c1]');
  });

  it('uses the video stream index of the source in the graph', () => {
    const graph = encodeFilterGraph(plan({ source: { ...source, videoStreamIndex: 2 } }));
    expect(graph.startsWith('[0:2]fps=30/1,format=yuv420p,split=')).toBe(true);
  });
});

describe('buildEncodeArgs with a scope (the runs of a chunked encode)', () => {
  const whole = buildEncodeArgs(plan());
  const chunk = buildEncodeArgs(plan(), {
    ladder: true,
    range: { startSeconds: 32, durationSeconds: 32, firstSegment: 8 },
  });

  it('encodes a time range with the one-piece ladder options, seeked at the input and numbered on', () => {
    // Before the input's options: an accurate input seek (the key frame before it, then decoded to it).
    const seek = chunk.indexOf('-ss');
    expect(chunk.slice(seek, seek + 5)).toEqual(['-ss', '32', '-t', '32', '-protocol_whitelist']);
    expect(valuesOf(chunk, '-i')).toEqual(['file:/jobs/a1/source']);
    expect(valuesOf(chunk, '-start_number')).toEqual(['8']);
    expect(valuesOf(chunk, '-var_stream_map')).toEqual(['v:0 v:1 v:2 v:3 v:4']);
    const graph = valuesOf(chunk, '-filter_complex')[0]!;
    expect(graph.startsWith('[0:0]fps=30/1,format=yuv420p[c0];[c0]scale=1920:1080')).toBe(true);
    expect(graph).not.toMatch(/poster|trick|\[a\d\]/);
    // The video maps and encoder options are the one-piece encode's, in the same order.
    const ladder = [
      ...videoOutputs(plan()).flatMap((v) => ['-map', v.label]),
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      ...videoCodecArgs(plan(), videoOutputs(plan())),
    ];
    const at = (args: string[]) => args.indexOf('-map');
    expect(chunk.slice(at(chunk), at(chunk) + ladder.length)).toEqual(ladder);
    expect(whole.slice(at(whole), at(whole) + 5)).toEqual(ladder.slice(0, 5));
    expect(whole.join(' ')).toContain(videoCodecArgs(plan(), videoOutputs(plan())).join(' '));
    expect(chunk).not.toContain('-c:a');
    expect(chunk).not.toContain('poster.jpg');
  });

  it("writes the title run's audio, poster and subtitles without decoding the whole video", () => {
    const title = buildEncodeArgs(plan(), { audio: true, poster: true, subtitles: true });
    // The poster comes from a second input seeked to it and ending 2 s later: a few frames decoded, not
    // the rest of the film (ffmpeg 5.1 decodes an input to its end for an output of one frame).
    expect(valuesOf(title, '-i')).toEqual(['file:/jobs/a1/source', 'file:/jobs/a1/source']);
    expect(valuesOf(title, '-ss')).toEqual(['6']);
    expect(valuesOf(title, '-t')).toEqual(['2']);
    expect(title.indexOf('-t')).toBeLessThan(title.lastIndexOf('-i'));
    expect(valuesOf(title, '-filter_complex')).toEqual([
      '[1:0]fps=30/1,format=yuv420p,scale=1280:720,setsar=1[poster]',
    ]);
    expect(valuesOf(title, '-var_stream_map')).toEqual(['a:0 a:1']);
    expect(valuesOf(title, '-map')).toEqual(['0:1', '0:2', '[poster]', '0:3']);
    expect(title).not.toContain('-start_number');
    expect(title).not.toContain('-c:v:0');
  });

  it('refuses a time range with outputs of the whole title', () => {
    expect(() =>
      buildEncodeArgs(plan(), { ladder: true, audio: true, range: { startSeconds: 0, firstSegment: 0 } }),
    ).toThrow(/ladder only/);
  });
});

describe('outputFrameRate', () => {
  it('keeps rates up to 60 and halves faster ones', () => {
    expect(outputFrameRate('30000/1001')).toEqual({ rational: '30000/1001', value: 30000 / 1001 });
    expect(outputFrameRate('60/1').value).toBe(60);
    expect(outputFrameRate('120/1')).toEqual({ rational: '120/2', value: 60 });
    expect(outputFrameRate('240/1').value).toBe(60);
  });
});

describe('planPoster', () => {
  it('takes a frame at 10 % at most 1280×720, aspect kept', () => {
    expect(planPoster(1920, 1080, 100)).toEqual({ atSeconds: 10, width: 1280, height: 720 });
    expect(planPoster(640, 360, 10)).toEqual({ atSeconds: 1, width: 640, height: 360 });
    expect(planPoster(1080, 1920, 10)).toEqual({ atSeconds: 1, width: 720, height: 1280 });
  });
});
