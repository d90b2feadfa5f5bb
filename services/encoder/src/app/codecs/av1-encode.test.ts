import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_KEY_PATH, newContentKey } from '@marquee/core/content-keys';
import { readMasterPlaylist } from '@marquee/core/hls';
import { missingEncoders } from '../../media/binaries.js';
import type { MediaTools } from '../../media/media-tools.js';
import { makeSource, tempDir, testMediaTools } from '../../testing/media-fixtures.js';
import { decodeWholeMaster, ffprobeJson } from '../../testing/output-checks.js';
import { DEFAULT_ENCODER_SETTINGS, encodeAsset, type EncodedAsset } from '../encode-asset.js';
import { av1MainCodecs } from './av1-level.js';

/**
 * A real encode with ENCODER_CODECS=h264,av1. Debian's ffmpeg (CI's) has libsvtav1; an ffmpeg without
 * it (FFMPEG_PATH at the 2018 npm build) skips this file, but never under CI.
 */
const tools: MediaTools = await testMediaTools();
const hasSvt = (await missingEncoders(tools.runner, tools.binaries.ffmpeg, ['libsvtav1'])).length === 0;
let dir: { path: string; remove: () => Promise<void> } | undefined;
let workDir: string;
let asset: EncodedAsset;
const key = newContentKey();

beforeAll(async () => {
  if (!hasSvt) {
    if (process.env.CI)
      throw new Error('CI needs an ffmpeg with libsvtav1 (Debian 12: apt-get install ffmpeg)');
    return;
  }
  dir = await tempDir('av1');
  const source = await makeSource(tools, dir.path, 'film.mp4', {
    width: 640,
    height: 360,
    seconds: 6,
    audio: [{ language: 'eng' }],
    container: 'mp4',
  });
  workDir = join(dir.path, 'out');
  asset = await encodeAsset(
    tools,
    { sourcePath: source, workDir, contentKey: key },
    // The fastest preset keeps this test short; the options it checks do not depend on it.
    { ...DEFAULT_ENCODER_SETTINGS, codecs: ['h264', 'av1'], av1Preset: '13' },
  );
}, 300_000);
afterAll(async () => dir?.remove());

/** The stream's own RFC 6381 string, from the av1C box of an init segment (seq_level_idx, tier). */
function av1CodecsOf(init: Buffer): string {
  const at = init.indexOf('av1C');
  expect(at).toBeGreaterThan(0);
  const profileAndLevel = init[at + 5]!;
  const flags = init[at + 6]!;
  expect(profileAndLevel >> 5).toBe(0); // Main profile
  expect(flags & 0x40).toBe(0); // 8-bit
  return `av01.0.${String(profileAndLevel & 0x1f).padStart(2, '0')}${flags & 0x80 ? 'H' : 'M'}.08`;
}

describe.runIf(hasSvt || process.env.CI)('encodeAsset with ENCODER_CODECS=h264,av1', () => {
  it('writes both families from the same sizes, each with its CODECS, H.264 first in the master', async () => {
    const h264 = asset.renditions.filter((r) => r.codec === 'h264');
    const av1 = asset.renditions.filter((r) => r.codec === 'av1');
    expect(h264.length).toBeGreaterThan(0);
    expect(av1.map((r) => r.height)).toEqual(h264.map((r) => r.height));
    for (const r of av1) {
      expect(r.playlist).toMatch(/^video_\d+p_av1\/index\.m3u8$/);
      expect(r.codecs).toBe(`${av1MainCodecs(r.rung.level)},mp4a.40.2`);
    }
    const master = readMasterPlaylist(await readFile(join(workDir, 'master.m3u8'), 'utf8'));
    const codecs = master.variants.map((v) => v.attrs.get('CODECS') ?? '');
    expect(codecs[0]).toMatch(/avc1\./);
    expect(codecs.filter((c) => c.includes('av01.')).length).toBe(av1.length);
  });

  it('names in CODECS the level and tier the stream says', async () => {
    for (const r of asset.renditions.filter((x) => x.codec === 'av1')) {
      const text = await readFile(join(workDir, r.playlist), 'utf8');
      const init = await readFile(
        join(workDir, dirname(r.playlist), /#EXT-X-MAP:URI="([^"]+)"/.exec(text)![1]!),
      );
      expect(`${av1CodecsOf(init)},mp4a.40.2`).toBe(r.codecs);
    }
  });

  it('encrypts AV1 segments like H.264 ones, and ffmpeg decodes the whole master with the key', async () => {
    for (const r of asset.renditions) {
      expect(await readFile(join(workDir, r.playlist), 'utf8')).toContain('#EXT-X-KEY:METHOD=AES-128');
    }
    await writeFile(join(workDir, CONTENT_KEY_PATH), key);
    await decodeWholeMaster(tools, workDir, { encrypted: true });
  });

  it('starts every AV1 segment with a key frame at the H.264 segment times (4 s)', async () => {
    const av1 = asset.renditions.find((r) => r.codec === 'av1')!;
    const { frames } = await ffprobeJson(
      tools,
      ['-select_streams', 'v', '-show_entries', 'frame=key_frame,pts_time', av1.playlist],
      { cwd: workDir, encrypted: true },
    );
    const times = (frames ?? []).map((f) => ({ key: f.key_frame === 1, at: Number(f.pts_time) }));
    // Relative to the first frame: the HLS demuxer starts the timeline where the muxer's offset puts it.
    const keys = times.filter((f) => f.key).map((f) => Math.round((f.at - times[0]!.at) * 10) / 10);
    expect(keys).toEqual([0, 4]);
  });
});
