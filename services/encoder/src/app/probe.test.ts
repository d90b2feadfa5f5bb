import { describe, expect, it } from 'vitest';
import { MediaRejectedError } from './errors.js';
import { formatDuration, parseProbe, validateSource, type ProbeJson, type SourceInfo } from './probe.js';

const json: ProbeJson = {
  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '12.5' },
  streams: [
    {
      index: 0,
      codec_type: 'video',
      codec_name: 'mjpeg',
      width: 600,
      height: 600,
      disposition: { attached_pic: 1 },
    },
    {
      index: 1,
      codec_type: 'video',
      codec_name: 'h264',
      width: 1440,
      height: 1080,
      sample_aspect_ratio: '4:3',
      avg_frame_rate: '30000/1001',
      nb_frames: '375',
    },
    {
      index: 2,
      codec_type: 'audio',
      codec_name: 'aac',
      channels: 2,
      tags: { language: 'eng' },
      disposition: { default: 1 },
    },
    {
      index: 3,
      codec_type: 'audio',
      codec_name: 'ac3',
      channels: 6,
      tags: { language: 'fre', title: 'Français 5.1' },
    },
    { index: 4, codec_type: 'subtitle', codec_name: 'mov_text', tags: { language: 'und' } },
    { index: 5, codec_type: 'subtitle', codec_name: 'hdmv_pgs_subtitle', tags: { language: 'ger' } },
  ],
};

describe('parseProbe', () => {
  const info = parseProbe(json);

  it('picks the real video stream (not cover art) and applies the pixel aspect ratio', () => {
    expect(info).toMatchObject({
      demuxer: 'mov',
      videoStreamIndex: 1,
      videoCodec: 'h264',
      width: 1920,
      height: 1080,
      frames: 375,
    });
    expect(info.fps).toBeCloseTo(29.97, 2);
    expect(info.fpsRational).toBe('30000/1001');
    expect(info.durationSeconds).toBe(12.5);
  });

  it('lists audio tracks with BCP 47 languages and subtitle tracks with their kind', () => {
    expect(info.audioTracks).toEqual([
      { index: 2, language: 'en', title: undefined, channels: 2, codec: 'aac', default: true },
      { index: 3, language: 'fr', title: 'Français 5.1', channels: 6, codec: 'ac3', default: false },
    ]);
    expect(info.subtitleTracks.map((s) => [s.index, s.language, s.text])).toEqual([
      [4, undefined, true],
      [5, 'de', false],
    ]);
  });

  it('swaps dimensions of a rotated phone video', () => {
    const rotated = parseProbe({
      format: { format_name: 'mov', duration: '3' },
      streams: [
        {
          index: 0,
          codec_type: 'video',
          width: 1920,
          height: 1080,
          r_frame_rate: '30/1',
          side_data_list: [{ rotation: -90 }],
        },
      ],
    });
    expect([rotated.width, rotated.height]).toEqual([1080, 1920]);
    expect(rotated.fps).toBe(30);
  });

  it('refuses a container that is not on the allow-list', () => {
    expect(() => parseProbe({ format: { format_name: 'hls' }, streams: [] })).toThrow(MediaRejectedError);
  });
});

describe('validateSource', () => {
  const good: SourceInfo = parseProbe(json);
  const reason = (info: Partial<SourceInfo>): string => {
    try {
      validateSource({ ...good, ...info });
      return 'accepted';
    } catch (err) {
      expect(err).toBeInstanceOf(MediaRejectedError);
      return (err as MediaRejectedError).reason;
    }
  };

  it('accepts a normal video', () => {
    expect(reason({})).toBe('accepted');
    expect(reason({ width: 1080, height: 1920 })).toBe('accepted');
  });

  it('explains every refusal', () => {
    expect(reason({ videoStreamIndex: undefined })).toMatch(/no video stream/);
    expect(reason({ width: 20000, height: 20000 })).toBe(
      'The video is 20000×20000, larger than the 7680×4320 maximum.',
    );
    expect(reason({ width: 8, height: 8 })).toMatch(/smaller than the 16×16 minimum/);
    expect(reason({ width: 4000, height: 400 })).toMatch(/aspect ratio/);
    expect(reason({ fps: 0 })).toMatch(/frame rate \(unknown\)/);
    expect(reason({ fps: 1000 })).toMatch(/1000\.00 fps/);
    expect(reason({ frames: 1 })).toMatch(/single frame/);
    expect(reason({ durationSeconds: 0 })).toMatch(/cannot be determined/);
    expect(reason({ durationSeconds: 0.04, frames: undefined })).toMatch(
      /0\.04 s long, shorter than the 0\.5 s minimum/,
    );
    expect(reason({ durationSeconds: 7 * 3600 + 720 })).toBe(
      'The video is 7 h 12 min long, longer than the 6 h maximum.',
    );
  });

  it('honours configured duration limits', () => {
    expect(() =>
      validateSource({ ...good, durationSeconds: 100 }, { minDurationSeconds: 1, maxDurationSeconds: 60 }),
    ).toThrow(/1 min 40 s long, longer than the 1 min maximum/);
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(5400)).toBe('1 h 30 min');
  });
});
