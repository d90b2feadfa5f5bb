import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodedEvent } from '../jobs/encode-uploaded.js';
import type { MediaTools } from '../media/media-tools.js';
import { ffmpeg, tempDir, testMediaTools } from '../testing/media-fixtures.js';
import { decodeWholeMaster } from '../testing/output-checks.js';
import { DEFAULT_ENCODER_SETTINGS, encodeAsset, type EncodedAsset } from './encode-asset.js';

let tools: MediaTools;
let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  tools = await testMediaTools();
  dir = await tempDir('loudness');
});
afterAll(async () => dir?.remove());

/**
 * A 3 s tiny video with four audio tracks: a loud tone (about −6 LUFS), a quiet one (about −46 LUFS,
 * mono), digital silence, and a 0.2 s blip that ends long before the film (shorter than one R128
 * measuring block, so loudnorm finds no loudness in it either).
 */
async function makeLoudnessSource(path: string): Promise<void> {
  const tone = (db: number, layout: string, seconds = 3) =>
    `sine=frequency=1000:sample_rate=48000:duration=${seconds},volume=${db}dB,aformat=channel_layouts=${layout}`;
  await ffmpeg(tools, [
    ...['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25:duration=3'],
    ...['-f', 'lavfi', '-i', tone(15, 'stereo')],
    ...['-f', 'lavfi', '-i', tone(-25, 'mono')],
    ...['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo:d=3'],
    ...['-f', 'lavfi', '-i', tone(0, 'stereo', 0.2)],
    ...['-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:a', '-map', '4:a'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k'],
    ...['-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra'],
    ...['-metadata:s:a:2', 'language=spa', '-metadata:s:a:3', 'language=deu'],
    path,
  ]);
}

/** Integrated loudness by ffmpeg's ebur128 meter (a second, independent meter), LUFS. */
async function ebur128(playlist: string): Promise<number> {
  const result = await tools.runner.run(
    tools.binaries.ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-protocol_whitelist', 'file', '-i', playlist],
      ...['-af', 'ebur128=dualmono=true', '-f', 'null', '-'],
    ],
    { limits: { wallTimeMs: 60_000 } },
  );
  const summary = result.stderr.slice(result.stderr.lastIndexOf('Summary:'));
  return Number(/I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary)?.[1]);
}

describe('encodeAsset normalises every audio track to the loudness target (EBU R128, two-pass loudnorm)', () => {
  let workDir: string;
  let asset: EncodedAsset;

  beforeAll(async () => {
    const source = join(dir.path, 'tones.mkv');
    await makeLoudnessSource(source);
    workDir = join(dir.path, 'out');
    asset = await encodeAsset(tools, { sourcePath: source, workDir }, DEFAULT_ENCODER_SETTINGS);
  });

  it('brings a loud and a quiet tone within ±1 LU of −16 LUFS, by one constant gain', async () => {
    const [loud, quiet] = asset.audio;
    for (const track of [loud!, quiet!]) {
      const measured = await ebur128(join(workDir, track.playlist));
      expect(Math.abs(measured - -16)).toBeLessThanOrEqual(1);
      expect(track.loudness!.mode).toBe('linear');
      expect(Math.abs(track.loudness!.output.integratedLufs! - -16)).toBeLessThanOrEqual(1);
      expect(track.loudness!.output.truePeakDbtp!).toBeLessThanOrEqual(-1.5 + 0.5);
    }
    expect(loud!.loudness!.input.integratedLufs!).toBeGreaterThan(-8);
    expect(quiet!.loudness!.input.integratedLufs!).toBeLessThan(-40);
  });

  it('passes silence and a too-short track through untouched, measured as null, and the asset plays', async () => {
    const [, , silent, blip] = asset.audio;
    for (const track of [silent!, blip!]) {
      expect(track.loudness).toEqual({
        targetLufs: -16,
        mode: 'none',
        input: expect.objectContaining({ integratedLufs: null }) as unknown,
        output: expect.objectContaining({ integratedLufs: null }) as unknown,
      });
    }
    await decodeWholeMaster(tools, workDir);
  });

  it('stores the measured values with the asset: media.encoded and asset.json carry them per track', () => {
    const event = encodedEvent('a1', 't1', asset);
    expect(event.audio?.map((a) => [a.language, a.loudness?.mode])).toEqual([
      ['en', 'linear'],
      ['fr', 'linear'],
      ['es', 'none'],
      ['de', 'none'],
    ]);
    expect(event.audio?.[1]?.loudness?.input.integratedLufs).toBe(
      asset.audio[1]!.loudness!.input.integratedLufs,
    );
  });
});
