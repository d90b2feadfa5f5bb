import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptSegment, keyMediaPlaylist, keyUriFor, segmentIv } from './content-encryption.js';

const playlist = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-TARGETDURATION:4',
  '#EXT-X-MEDIA-SEQUENCE:0',
  '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-MAP:URI="init.mp4"',
  '#EXTINF:4.000000,',
  'seg_00000.m4s',
  '#EXTINF:2.500000,',
  'seg_00001.m4s',
  '#EXT-X-ENDLIST',
  '',
].join('\n');

describe('content encryption', () => {
  it('puts the key after the init segment, so the init stays clear and every segment is covered', () => {
    const keyed = keyMediaPlaylist(playlist, '../content.key');
    const lines = keyed.text.split('\n');
    const map = lines.indexOf('#EXT-X-MAP:URI="init.mp4"');
    expect(lines[map + 1]).toBe('#EXT-X-KEY:METHOD=AES-128,URI="../content.key"');
    expect(lines.filter((l) => l.startsWith('#EXT-X-KEY'))).toHaveLength(1);
    expect(keyed.segments).toEqual([
      { uri: 'seg_00000.m4s', sequence: 0 },
      { uri: 'seg_00001.m4s', sequence: 1 },
    ]);
    expect(() => keyMediaPlaylist(keyed.text, 'x')).toThrow(/already encrypted/);
  });

  it('numbers segments from EXT-X-MEDIA-SEQUENCE and keys a playlist without an init segment', () => {
    const keyed = keyMediaPlaylist(
      '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:4,\na.ts\n#EXTINF:4,\nb.ts\n',
      'k',
    );
    expect(keyed.text.split('\n')[2]).toBe('#EXT-X-KEY:METHOD=AES-128,URI="k"');
    expect(keyed.segments.map((s) => s.sequence)).toEqual([7, 8]);
  });

  it('encrypts with AES-128-CBC, IV = sequence number, PKCS#7 (what players decrypt)', () => {
    const key = Buffer.alloc(16, 7);
    const clear = Buffer.from('a CMAF segment of some length, not a multiple of sixteen');
    const sealed = encryptSegment(clear, key, 5);
    expect(sealed.length % 16).toBe(0);
    expect(sealed.includes(clear.subarray(0, 16))).toBe(false);
    expect(segmentIv(5).toString('hex')).toBe('00000000000000000000000000000005');
    const decipher = createDecipheriv('aes-128-cbc', key, segmentIv(5));
    expect(Buffer.concat([decipher.update(sealed), decipher.final()]).equals(clear)).toBe(true);
    // Another sequence number's IV does not give the clear text back.
    const wrong = createDecipheriv('aes-128-cbc', key, segmentIv(6));
    let out: Buffer;
    try {
      out = Buffer.concat([wrong.update(sealed), wrong.final()]);
    } catch {
      out = Buffer.alloc(0);
    }
    expect(out.equals(clear)).toBe(false);
  });

  it('points each playlist at the asset-level key path, relatively', () => {
    expect(keyUriFor('video_720p/index.m3u8')).toBe('../content.key');
    expect(keyUriFor('index.m3u8')).toBe('content.key');
  });
});
