import { describe, expect, it } from 'vitest';
import { mediaTypeOf } from './media-types.js';

describe('mediaTypeOf', () => {
  it('keeps the origin’s type unless it is only octet-stream', () => {
    expect(mediaTypeOf('poster.jpg', 'image/png')).toBe('image/png');
    expect(mediaTypeOf('poster.jpg', 'application/octet-stream')).toBe('image/jpeg');
    expect(mediaTypeOf('v/seg_1.m4s', undefined)).toBe('video/iso.segment');
    expect(mediaTypeOf('v/index.M3U8', '')).toBe('application/vnd.apple.mpegurl');
    expect(mediaTypeOf('subs/en.vtt', undefined)).toBe('text/vtt; charset=utf-8');
    expect(mediaTypeOf('blob', undefined)).toBe('application/octet-stream');
  });
});
