import { describe, expect, it } from 'vitest';
import { outputContentType } from './content-types.js';

describe('outputContentType', () => {
  it('names every kind of output', () => {
    expect(outputContentType('master.m3u8')).toBe('application/vnd.apple.mpegurl');
    expect(outputContentType('video_720p/init_1.mp4')).toBe('video/mp4');
    expect(outputContentType('video_720p/seg_00001.m4s')).toBe('video/iso.segment');
    expect(outputContentType('audio_0/init_5.mp4')).toBe('audio/mp4');
    expect(outputContentType('audio_0/seg_00001.m4s')).toBe('audio/mp4');
    expect(outputContentType('subs_0/index.vtt')).toBe('text/vtt; charset=utf-8');
    expect(outputContentType('trickplay/sheet_001.jpg')).toBe('image/jpeg');
    expect(outputContentType('asset.json')).toBe('application/json');
    expect(outputContentType('other.bin')).toBe('application/octet-stream');
  });
});
