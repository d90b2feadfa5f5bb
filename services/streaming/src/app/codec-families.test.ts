import { describe, expect, it } from 'vitest';
import { videoCodecFamilies } from './codec-families.js';

const rung = (height: number, codecs: string) => ({
  height,
  width: Math.round((height * 16) / 9),
  bandwidth: 1e6,
  codecs,
});

describe('videoCodecFamilies', () => {
  it('names H.264 alone for an asset encoded before AV1', () => {
    expect(videoCodecFamilies([rung(720, 'avc1.64001f,mp4a.40.2'), rung(360, 'avc1.64001e')], 1080)).toEqual([
      'h264',
    ]);
  });

  it('names both families, H.264 first, whatever the order of the ladder', () => {
    const ladder = [rung(720, 'av01.0.05M.08,mp4a.40.2'), rung(720, 'avc1.64001f,mp4a.40.2')];
    expect(videoCodecFamilies(ladder, 1080)).toEqual(['h264', 'av1']);
  });

  it('counts only the renditions the plan allows', () => {
    const ladder = [rung(1080, 'av01.0.08M.08'), rung(720, 'avc1.64001f')];
    expect(videoCodecFamilies(ladder, 720)).toEqual(['h264']);
  });

  it('ignores codecs it does not know, and an empty ladder names none', () => {
    expect(videoCodecFamilies([rung(720, 'hvc1.1.6.L93.B0,mp4a.40.2')], 1080)).toEqual([]);
    expect(videoCodecFamilies([], 1080)).toEqual([]);
  });
});
