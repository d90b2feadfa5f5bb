import { describe, expect, it } from 'vitest';
import { CorruptBlobError } from './errors.js';
import { HEADER_BYTES, decodeHeader, encodeHeader } from './object-file.js';

const header = { size: 1234, sha256: 'ab'.repeat(32), contentType: 'video/mp4; codecs="avc1.640028"' };

describe('object file header', () => {
  it('round-trips in exactly HEADER_BYTES', () => {
    const bytes = encodeHeader(header);
    expect(bytes.length).toBe(HEADER_BYTES);
    expect(decodeHeader('k', bytes)).toEqual(header);
  });

  it('refuses a file that was not written by the adapter', () => {
    expect(() => decodeHeader('k', Buffer.from('#EXTM3U\n'.repeat(600)))).toThrow(CorruptBlobError);
    expect(() => decodeHeader('k', Buffer.alloc(0))).toThrow(CorruptBlobError);
  });

  it('refuses a truncated or tampered header', () => {
    const bytes = encodeHeader(header);
    expect(() => decodeHeader('k', bytes.subarray(0, 40))).toThrow(/truncated/);
    const tampered = Buffer.from(bytes);
    tampered.write('{"size":-1,', 12, 'utf8');
    expect(() => decodeHeader('k', tampered)).toThrow(CorruptBlobError);
  });
});
