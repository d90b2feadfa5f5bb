import { createCipheriv } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { CONTENT_KEY_BYTES, CONTENT_KEY_PATH } from '@marquee/core/content-keys';
import { addMediaPlaylistKey, quote, readMediaPlaylist } from '@marquee/core/hls';

/**
 * HLS AES-128 whole-segment encryption of an encoded asset (RFC 8216 §5.2): every audio and video
 * media segment is AES-128-CBC with PKCS#7 padding under the asset's content key, IV = the segment's
 * media sequence number (no IV attribute, so one `#EXT-X-KEY` covers the playlist). Chosen over
 * SAMPLE-AES/CENC because hls.js (the web player) and ffmpeg's HLS demuxer both decrypt it for fMP4
 * segments, and it needs nothing from the muxer: it is applied to the files ffmpeg wrote. Apple's
 * native players want SAMPLE-AES (cbcs) for fMP4; docs/media.md says what that would take.
 *
 * The init segments stay clear: the key tag is written after `#EXT-X-MAP`, so it applies to the
 * media segments only. They hold codec configuration, no picture or sound. Subtitles, posters and
 * trickplay sheets stay clear too (text and stills the catalog already shows).
 *
 * The key URI is relative (`../content.key` from `video_720p/index.m3u8`), so it inherits the edge
 * and the session's token from the playlist URL: the edge forwards it to streaming, which answers
 * only for a live session entitled to the asset.
 */

/** The IV of the segment with media sequence number `sequence`: 128-bit big-endian. */
export function segmentIv(sequence: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(Math.floor(sequence / 2 ** 32), 8);
  iv.writeUInt32BE(sequence % 2 ** 32, 12);
  return iv;
}

export function encryptSegment(clear: Buffer, key: Buffer, sequence: number): Buffer {
  if (key.length !== CONTENT_KEY_BYTES) throw new RangeError('an AES-128 key is 16 bytes');
  const cipher = createCipheriv('aes-128-cbc', key, segmentIv(sequence));
  return Buffer.concat([cipher.update(clear), cipher.final()]);
}

export interface KeyedPlaylist {
  text: string;
  /** The media segments to encrypt, as written in the playlist, with their sequence numbers. */
  segments: { uri: string; sequence: number }[];
}

/**
 * The playlist with `#EXT-X-KEY:METHOD=AES-128,URI="<keyUri>"` after its init segment (or before
 * its first segment when it has none), and the segments that key covers. Only for the playlists
 * ffmpeg just wrote for us: a playlist that already names a key is refused.
 */
export function keyMediaPlaylist(text: string, keyUri: string): KeyedPlaylist {
  const playlist = readMediaPlaylist(text);
  if (playlist.encrypted) throw new Error('the playlist is already encrypted');
  return {
    text: addMediaPlaylistKey(
      text,
      new Map([
        ['METHOD', 'AES-128'],
        ['URI', quote(keyUri)],
      ]),
    ),
    segments: playlist.segments.map((s, i) => ({ uri: s.uri, sequence: playlist.mediaSequence + i })),
  };
}

/** The key URI a playlist at `playlistPath` (inside the asset) uses: relative, so it keeps the token. */
export function keyUriFor(playlistPath: string): string {
  return posix.relative(posix.dirname(playlistPath), CONTENT_KEY_PATH);
}

/**
 * Encrypts, in place, every segment of the given media playlists (paths inside `workDir`) and
 * rewrites each playlist with its key tag. Returns how many segments were encrypted.
 */
export async function encryptPlaylists(
  workDir: string,
  playlistPaths: readonly string[],
  key: Buffer,
): Promise<number> {
  let count = 0;
  for (const playlistPath of playlistPaths) {
    const file = join(workDir, playlistPath);
    const keyed = keyMediaPlaylist(await readFile(file, 'utf8'), keyUriFor(playlistPath));
    for (const segment of keyed.segments) {
      const path = join(dirname(file), segment.uri);
      await writeFile(path, encryptSegment(await readFile(path), key, segment.sequence));
      count += 1;
    }
    await writeFile(file, keyed.text);
  }
  return count;
}
