import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from './ffmpeg.js';

/**
 * Apple's HLS Authoring Specification example ladder for H.264 16:9 at 30 fps (the fixed ladder most
 * services started from): sizes and average bit rates. Rungs taller than the source are left out.
 */
export const APPLE_LADDER: readonly { name: string; width: number; height: number; kbps: number }[] = [
  { name: '1080p-7800', width: 1920, height: 1080, kbps: 7800 },
  { name: '1080p-6000', width: 1920, height: 1080, kbps: 6000 },
  { name: '720p-4500', width: 1280, height: 720, kbps: 4500 },
  { name: '720p-3000', width: 1280, height: 720, kbps: 3000 },
  { name: '540p-2000', width: 960, height: 540, kbps: 2000 },
  { name: '432p-1100', width: 768, height: 432, kbps: 1100 },
  { name: '432p-730', width: 768, height: 432, kbps: 730 },
  { name: '360p-365', width: 640, height: 360, kbps: 365 },
  { name: '234p-145', width: 416, height: 234, kbps: 145 },
];

export interface FixedRung {
  name: string;
  width: number;
  height: number;
  path: string;
  kbps: number;
}

/**
 * Encodes the fixed ladder with what Marquee's H.264 ladder uses apart from the ladder itself — x264
 * at the same preset, High profile, 4 s closed GOPs, maxrate 1.5 × and buffer 2 × the average — so the
 * comparison measures the ladder, not the encoder settings. One ffmpeg, one decode.
 */
export async function encodeFixedLadder(
  ffmpeg: string,
  source: string,
  dir: string,
  sourceHeight: number,
  seconds: number,
  preset: string,
): Promise<FixedRung[]> {
  const rungs = APPLE_LADDER.filter((r) => r.height <= sourceHeight);
  const graph = `[0:v]fps=30,format=yuv420p,split=${rungs.length}${rungs.map((_, i) => `[s${i}]`).join('')};${rungs
    .map((r, i) => `[s${i}]scale=${r.width}:${r.height},setsar=1[v${i}]`)
    .join(';')}`;
  const args = ['-i', source, '-filter_complex', graph];
  rungs.forEach((r, i) => {
    args.push(
      '-map',
      `[v${i}]`,
      '-c:v',
      'libx264',
      '-preset',
      preset,
      '-profile:v',
      'high',
      '-g',
      '120',
      '-keyint_min',
      '120',
      '-sc_threshold',
      '0',
      '-flags:v',
      '+cgop',
      '-b:v',
      `${r.kbps}k`,
      '-maxrate',
      `${Math.round(r.kbps * 1.5)}k`,
      '-bufsize',
      `${r.kbps * 2}k`,
      '-an',
      join(dir, `${r.name}.mp4`),
    );
  });
  await runFfmpeg(ffmpeg, args);
  const out: FixedRung[] = [];
  for (const r of rungs) {
    const path = join(dir, `${r.name}.mp4`);
    out.push({ ...r, path, kbps: ((await stat(path)).size * 8) / seconds / 1000 });
  }
  return out;
}
