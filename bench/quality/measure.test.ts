import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMediaTools } from '@marquee/encoder';
import { cmafHlsMuxerArgs } from '../../services/encoder/src/app/encode-args.js';
import { runFfmpeg } from './ffmpeg.js';
import { measureQuality, parseQuality, type Quality } from './measure.js';

/**
 * Frame pairing and naming, on the packaging the encoder writes (CMAF HLS): each codec's near-transparent
 * encode of a moving picture must score as near-transparent, and the same encode one frame late must
 * not (a pairing a frame apart turns the first into the second); a rung smaller than the source must
 * score lower full screen than at its own size (read in the wrong order, the two swap: both happened
 * to this benchmark before 2026-12-07).
 */
// Debian's ffmpeg, as the bench (the 2018 npm build has no libsvtav1).
const tools = await openMediaTools({
  searchPath: process.env.PATH ?? '/usr/bin:/bin',
  ...(process.env.FFMPEG_PATH ? { ffmpegPath: process.env.FFMPEG_PATH } : {}),
  ...(process.env.FFPROBE_PATH ? { ffprobePath: process.env.FFPROBE_PATH } : {}),
  codecs: ['h264', 'av1'],
});
const ffmpeg = tools.binaries.ffmpeg;
const W = 320;
const H = 180;
let dir: string;
let source: { path: string; width: number; height: number };

/** Encodes `graph` of the source to an HLS fMP4 playlist with `codec` options; returns the playlist. */
async function encode(name: string, filter: string, codec: string[]): Promise<string> {
  const out = join(dir, name);
  await mkdir(out);
  await runFfmpeg(
    ffmpeg,
    [
      '-i',
      source.path,
      '-vf',
      filter,
      ...codec,
      '-g',
      '60',
      ...cmafHlsMuxerArgs(2, 'seg_%05d.m4s'),
      'index.m3u8',
    ],
    out,
  );
  return join(out, 'index.m3u8');
}

const measure = (playlist: string, width = W, height = H): Promise<Quality> =>
  measureQuality(ffmpeg, playlist, source, width, height);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-measure-'));
  source = { path: join(dir, 'source.mkv'), width: W, height: H };
  // testsrc2 moves every frame (a sweeping bar, counters), so a frame's neighbour is a different picture.
  await runFfmpeg(ffmpeg, [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${W}x${H}:rate=30:duration=4`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '8',
    '-pix_fmt',
    'yuv420p',
    source.path,
  ]);
}, 60_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('measureQuality pairs frames exactly', () => {
  const x264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '6'];
  const svtav1 = ['-c:v', 'libsvtav1', '-preset', '12', '-crf', '4'];
  let late: Quality;

  beforeAll(async () => {
    late = await measure(await encode('late', 'trim=start_frame=1,setpts=PTS-STARTPTS', x264));
  }, 60_000);

  it('scores H.264 (B-frames: a composition offset) as transparent', async () => {
    const q = await measure(await encode('h264', 'null', x264));
    expect(q.ssim).toBeGreaterThan(0.995);
    expect(late.ssim).toBeLessThan(q.ssim - 0.02);
  }, 60_000);

  it('scores AV1 (SVT-AV1, no composition offset) as transparent', async () => {
    const q = await measure(await encode('av1', 'null', svtav1));
    expect(q.ssim).toBeGreaterThan(0.995);
    expect(late.ssim).toBeLessThan(q.ssim - 0.02);
  }, 120_000);

  it('tells a smaller rung at its own size from the same rung full screen', async () => {
    const q = await measure(
      await encode('small', `scale=${W / 2}:${H / 2}:flags=bicubic,setsar=1`, x264),
      W / 2,
      H / 2,
    );
    expect(q.ssim).toBeGreaterThan(0.99);
    // Half the pixels of testsrc2's sharp edges and small text cannot come back when scaled up.
    expect(q.displaySsim).toBeLessThan(q.ssim - 0.01);
    expect(q.displayPsnr).toBeLessThan(q.psnr - 3);
  }, 60_000);
});

describe('parseQuality', () => {
  it('reads each summary by its filter, whatever order ffmpeg prints them in (it prints the last first)', () => {
    const log = [
      '[psnr@screen @ 0x55dd96bc90c0] PSNR y:35.646285 u:32.312734 v:30.158182 average:33.563229 min:32.786561 max:33.979029',
      '[ssim@screen @ 0x55dd96bc8040] SSIM Y:0.965478 (14.619008) U:0.962059 (14.208941) V:0.970574 (15.312730) All:0.965757 (14.654335)',
      '[psnr@rung @ 0x55dd96bc7480] PSNR y:inf u:inf v:inf average:inf min:inf max:inf',
      '[ssim@rung @ 0x55dd96bc6540] SSIM Y:0.991048 (20.480650) U:0.992586 (21.299600) V:0.994709 (22.764824) All:0.991914 (20.922862)',
    ].join('\n');
    expect(parseQuality(log)).toEqual({
      ssim: 0.991914,
      psnr: 100,
      displaySsim: 0.965757,
      displayPsnr: 33.563229,
    });
    expect(() => parseQuality(log.split('\n').slice(1).join('\n'))).toThrow(/psnr@screen/);
  });
});
