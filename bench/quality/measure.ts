import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from './ffmpeg.js';

export interface Quality {
  /** ffmpeg's ssim filter, "All" (Y, U and V weighted 4:1:1), against the source scaled to the rung. */
  ssim: number;
  /** ffmpeg's psnr filter, "average" over the planes (dB), against the source scaled to the rung. */
  psnr: number;
  /** The same two with the rung scaled up to the source's size, as a player shows it full screen. */
  displaySsim: number;
  displayPsnr: number;
}

/**
 * Frames are paired by time snapped to the corpus's 30 fps grid. Plain timestamps do not pair: the
 * Matroska source's are rounded to the millisecond (0.033, 0.067 …) and an MP4's are exact (0.0333 …),
 * and ssim/psnr pair frames by time, so with `setpts=PTS-STARTPTS` a third of the frames met their
 * neighbour (the same x264 stream of testsrc2 scored SSIM 0.9786 in MP4, 0.9976 in MKV). Frame numbers
 * do not pair either: the encoder's `fps` filter, reading those rounded times, drops one frame and
 * repeats another, shifting every frame between them (0.952 for that stream). Every figure of this
 * benchmark before 2026-12-07 was measured with the first error.
 */
const ALIGN = "setpts='round((PTS-STARTPTS)*TB*30)/(30*TB)'";

/**
 * SSIM and PSNR of an encoded stream, frame by frame from the first frame of each: against the
 * source scaled down to the rung (how well the encoder kept that picture), and — the rung scaled up to
 * the source's size — against the source itself (what a viewer sees, which also charges a small rung
 * for its lost detail; only this one puts rungs of different sizes on one hull). Bicubic both ways.
 * `encoded` is a file or an HLS media playlist. One run, each input decoded once.
 */
export async function measureQuality(
  ffmpeg: string,
  encoded: string,
  source: { path: string; width: number; height: number },
  width: number,
  height: number,
): Promise<Quality> {
  const graph = [
    `[0:v]${ALIGN},format=yuv420p,setsar=1,split=3[d1][d2][u]`,
    `[u]scale=${source.width}:${source.height}:flags=bicubic,setsar=1,split=2[u1][u2]`,
    `[1:v]${ALIGN},format=yuv420p,setsar=1,split=3[s][o1][o2]`,
    `[s]scale=${width}:${height}:flags=bicubic,setsar=1,split=2[r1][r2]`,
    '[d1][r1]ssim@rung=shortest=1',
    '[d2][r2]psnr@rung=shortest=1',
    '[u1][o1]ssim@screen=shortest=1',
    '[u2][o2]psnr@screen=shortest=1',
  ].join(';');
  const log = await runFfmpeg(
    ffmpeg,
    [
      '-protocol_whitelist',
      'file',
      '-i',
      encoded,
      '-i',
      source.path,
      '-filter_complex',
      graph,
      '-f',
      'null',
      '-',
    ],
    undefined,
    'info',
  );
  return parseQuality(log);
}

/**
 * The summary lines ffmpeg's ssim and psnr filters print at the end, read by the filters' instance
 * names (`ssim@rung` logs as "[ssim@rung @ 0x…] SSIM …"). Not by their order: ffmpeg prints them in the
 * reverse of the graph's, and until 2026-12-07 this read them in the graph's — every "full screen"
 * figure was the rung's own-size one and the other way round.
 */
export function parseQuality(log: string): Quality {
  const read = (summary: RegExp, name: string): number => {
    const value = summary.exec(log)?.[1];
    if (value === undefined) throw new Error(`no ${name} summary in: ${log.slice(-800)}`);
    // Identical pictures: PSNR is infinite; 100 dB stands for it.
    return value === 'inf' ? 100 : Number(value);
  };
  const ssim = (at: string) =>
    read(new RegExp(`\\[ssim@${at} @ [^\\]]*\\] SSIM .*?All:([\\d.]+)`), `ssim@${at}`);
  const psnr = (at: string) =>
    read(new RegExp(`\\[psnr@${at} @ [^\\]]*\\] PSNR .*?average:([\\d.]+|inf)`), `psnr@${at}`);
  return { ssim: ssim('rung'), psnr: psnr('rung'), displaySsim: ssim('screen'), displayPsnr: psnr('screen') };
}

/** kbit/s of every file in `dir` (init and media segments: what a viewer downloads) over `seconds`. */
export async function directoryKbps(dir: string, seconds: number): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(dir)) {
    if (name.endsWith('.m3u8')) continue;
    bytes += (await stat(join(dir, name))).size;
  }
  return (bytes * 8) / seconds / 1000;
}
