import { readFile, writeFile } from 'node:fs/promises';
import { createDecipheriv } from 'node:crypto';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_KEY_PATH, newContentKey } from '@marquee/core/content-keys';
import type { MediaTools } from '../media/media-tools.js';
import { makeSource, tempDir, testMediaTools } from '../testing/media-fixtures.js';
import { segmentIv } from './content-encryption.js';
import { encodeAsset, type EncodedAsset } from './encode-asset.js';

let tools: MediaTools;
let dir: { path: string; remove: () => Promise<void> };
let workDir: string;
let asset: EncodedAsset;
const key = newContentKey();

beforeAll(async () => {
  tools = await testMediaTools();
  dir = await tempDir('encrypted');
  const source = await makeSource(tools, dir.path, 'film.mp4', {
    width: 640,
    height: 360,
    seconds: 6,
    audio: [{ language: 'eng' }],
    subtitle: { language: 'eng' },
    container: 'mp4',
  });
  workDir = join(dir.path, 'out');
  asset = await encodeAsset(tools, { sourcePath: source, workDir, contentKey: key });
}, 180_000);
afterAll(async () => dir?.remove());

/** ffmpeg decoding `args`' input to nothing: its exit code and what it said at -v error. */
async function decode(input: string[], protocols: string): Promise<{ code: number | null; stderr: string }> {
  const result = await tools.runner.run(
    tools.binaries.ffmpeg,
    ['-nostdin', '-v', 'error', '-protocol_whitelist', protocols, ...input, '-map', '0', '-f', 'null', '-'],
    { limits: { wallTimeMs: 120_000 }, cwd: workDir },
  );
  return { code: result.exitCode, stderr: result.stderr.trim() };
}

describe('encodeAsset with a content key', () => {
  it('encrypts every audio and video segment and keys every media playlist', async () => {
    expect(asset.encrypted).toBe(true);
    for (const playlist of [
      ...asset.renditions.map((r) => r.playlist),
      ...asset.audio.map((a) => a.playlist),
    ]) {
      const text = await readFile(join(workDir, playlist), 'utf8');
      expect(text).toContain('#EXT-X-KEY:METHOD=AES-128,URI="../content.key"');
    }
    for (const s of asset.subtitles) {
      expect(await readFile(join(workDir, s.playlist), 'utf8')).not.toContain('EXT-X-KEY');
    }
    // The key is never among the outputs (nothing stores it in clear).
    expect(asset.files).not.toContain(CONTENT_KEY_PATH);
    const files = await Promise.all(asset.files.map((f) => readFile(join(workDir, f))));
    expect(files.some((bytes) => bytes.includes(key))).toBe(false);
  });

  it('a stored segment does not decode without its key (and does with it)', async () => {
    const playlist = asset.renditions[0]!.playlist;
    const text = await readFile(join(workDir, playlist), 'utf8');
    const rendition = dirname(playlist);
    const init = await readFile(join(workDir, rendition, /#EXT-X-MAP:URI="([^"]+)"/.exec(text)![1]!));
    const first = text.split('\n').find((l) => l.endsWith('.m4s'))!;
    const segment = await readFile(join(workDir, rendition, first));
    await writeFile(join(workDir, 'stolen.mp4'), Buffer.concat([init, segment]));
    const stolen = await decode(['-i', 'stolen.mp4'], 'file');
    expect(stolen.code !== 0 || stolen.stderr !== '').toBe(true);
    // The control: the same bytes decrypted with the key decode cleanly.
    const decipher = createDecipheriv('aes-128-cbc', key, segmentIv(0));
    const clear = Buffer.concat([decipher.update(segment), decipher.final()]);
    await writeFile(join(workDir, 'opened.mp4'), Buffer.concat([init, clear]));
    expect(await decode(['-i', 'opened.mp4'], 'file')).toEqual({ code: 0, stderr: '' });
  });

  it('ffmpeg decodes the whole ladder through the playlists once the key is where they say', async () => {
    // Without the key file the HLS demuxer cannot open a segment.
    const without = await decode(['-i', 'master.m3u8'], 'file,crypto');
    expect(without.code !== 0 || without.stderr !== '').toBe(true);
    await writeFile(join(workDir, CONTENT_KEY_PATH), key);
    // Local files only: ffmpeg opens a key over HTTP whatever its name, a local one with a media extension.
    const withKey = await decode(['-allowed_extensions', 'ALL', '-i', 'master.m3u8'], 'file,crypto');
    expect(withKey.stderr).toBe('');
    expect(withKey.code).toBe(0);
  });
});
