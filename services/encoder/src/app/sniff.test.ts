import { describe, expect, it } from 'vitest';
import { looksLikeMp4, sniffNonVideo } from './sniff.js';

const sniff = (content: string | Buffer) => {
  const buffer = typeof content === 'string' ? Buffer.from(content) : content;
  return sniffNonVideo(buffer, buffer.length);
};

describe('sniffNonVideo', () => {
  it('names files that point at other files', () => {
    expect(sniff('#EXTM3U\n#EXTINF:10,\n/etc/passwd\n')).toMatch(/HLS playlist/);
    expect(sniff('\uFEFF  #EXTM3U\n')).toMatch(/HLS playlist/);
    expect(sniff("ffconcat version 1.0\nfile '/etc/passwd'\n")).toMatch(/concat list/);
    expect(sniff("file '/etc/passwd'\n")).toMatch(/concat list/);
    expect(sniff('v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nm=video 5004 RTP/AVP 96\n')).toMatch(/SDP/);
    expect(sniff('<?xml version="1.0"?><MPD>')).toMatch(/XML/);
  });

  it('names empty, text and image files', () => {
    expect(sniffNonVideo(Buffer.alloc(0), 0)).toMatch(/empty/);
    expect(sniff('This is not a video, just notes. Ça va ?\n')).toMatch(/text file/);
    expect(sniff(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).toMatch(/PNG image/);
    expect(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toMatch(/JPEG image/);
  });

  it('says nothing about binary data it does not know (ffmpeg decides)', () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(20)]);
    expect(sniff(mp4)).toBeUndefined();
    expect(sniff(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x93, 0x42, 0x82, 0x88]))).toBeUndefined();
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    expect(sniff(random)).toBeUndefined();
  });

  it('does not mistake a UTF-8 character cut at the end of the sample for binary', () => {
    const text = Buffer.from('#EXTM3U\nété');
    expect(sniffNonVideo(text.subarray(0, text.length - 1), 10_000)).toMatch(/HLS playlist/);
  });
});

describe('looksLikeMp4', () => {
  it('recognises a top-level box type at offset 4', () => {
    expect(looksLikeMp4(Buffer.from('\0\0\0\x20ftypisom'))).toBe(true);
    expect(looksLikeMp4(Buffer.from('\0\0\0\x08mdat'))).toBe(true);
    expect(looksLikeMp4(Buffer.from('random bytes here'))).toBe(false);
  });
});
