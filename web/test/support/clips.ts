import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLIP_DIR = join(tmpdir(), 'marquee-web-test-clips');

export interface ClipSpec {
  seconds: number;
  height: 240 | 360 | 720 | 1080;
  /** Different patterns make different posters and thumbnails, so screenshots tell titles apart. */
  pattern?: 'testsrc2' | 'smptebars' | 'mandelbrot' | 'rgbtestsrc';
}

/**
 * A short H.264 + AAC source made with the system ffmpeg, cached by spec across test files (written
 * under a temporary name, then renamed, so parallel files never read half a clip).
 */
export async function makeClip(spec: ClipSpec): Promise<string> {
  const pattern = spec.pattern ?? 'testsrc2';
  const width = Math.round((spec.height * 16) / 9 / 2) * 2;
  const file = join(CLIP_DIR, `${pattern}-${spec.height}p-${spec.seconds}s.mp4`);
  if (existsSync(file)) return file;
  mkdirSync(CLIP_DIR, { recursive: true });
  const partial = `${file}.${process.pid}.partial.mp4`;
  await run('ffmpeg', [
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `${pattern}=size=${width}x${spec.height}:rate=24`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=330:sample_rate=48000',
    '-t',
    String(spec.seconds),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-shortest',
    partial,
  ]);
  renameSync(partial, file);
  return file;
}
