import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from './ffmpeg.js';

/** One generated source of the corpus: an ffmpeg lavfi graph giving the picture. */
export interface CorpusClip {
  name: string;
  /** What kind of real content it stands in for. */
  stands: string;
  graph: (width: number, height: number, seconds: number) => string;
}

const MONO_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';

/**
 * Four sources of very different complexity, all generated here (no external media): flat
 * animation-like, talking-head-like low motion, high-motion noisy, and screen content (text).
 */
export async function corpus(dir: string): Promise<CorpusClip[]> {
  const hasFont = await access(MONO_FONT).then(
    () => true,
    () => false,
  );
  const codeFile = join(dir, 'code.txt');
  await writeFile(codeFile, codeLines(400));
  return [
    {
      name: 'animation',
      stands: 'flat animation: testsrc2 (flat colours, sharp edges, moderate motion)',
      graph: (w, h, s) => `testsrc2=size=${w}x${h}:rate=30:duration=${s}`,
    },
    {
      name: 'talking-head',
      // No grain here: SSIM scores a denoised flat area against its own grain near zero (0.11 measured).
      // A fixed seed: gradients picks random directions otherwise, and a flat title's SSIM curves are
      // so close that two runs of the bench compared different pictures (before 2026-12-07).
      stands: 'talking head: slow soft gradients, little motion',
      graph: (w, h, s) =>
        `gradients=size=${w}x${h}:rate=30:duration=${s}:speed=0.004:c0=0x503020:c1=0xd0a080:c2=0x304050:c3=0x806040:nb_colors=4:seed=1`,
    },
    {
      name: 'action',
      stands: 'high motion, noisy: a zooming mandelbrot with strong film grain',
      graph: (w, h, s) =>
        `mandelbrot=size=${Math.round(w / 2)}x${Math.round(h / 2)}:rate=30,trim=duration=${s},scale=${w}:${h}:flags=bicubic,noise=alls=14:allf=t:all_seed=1`,
    },
    {
      name: 'screen',
      stands: 'screen content: scrolling monospace text on white (a code listing)',
      graph: (w, h, s) =>
        hasFont
          ? `color=c=white:size=${w}x${h}:rate=30:duration=${s},drawtext=fontfile=${MONO_FONT}:textfile=${codeFile}:fontsize=${Math.round(h / 36)}:fontcolor=0x202020:x=${Math.round(w / 40)}:y=${Math.round(h / 20)}-t*${Math.round(h / 30)}:line_spacing=4`
          : `testsrc=size=${w}x${h}:rate=30:duration=${s}`,
    },
  ];
}

/** The mezzanine: near-lossless H.264 in Matroska, the file every ladder encodes and is measured against. */
export async function makeClip(
  ffmpeg: string,
  clip: CorpusClip,
  path: string,
  width: number,
  height: number,
  seconds: number,
): Promise<void> {
  await runFfmpeg(ffmpeg, [
    '-f',
    'lavfi',
    '-i',
    clip.graph(width, height, seconds),
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '8',
    '-pix_fmt',
    'yuv420p',
    path,
  ]);
}

function codeLines(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const indent = '  '.repeat(i % 4);
    lines.push(
      `${String(i + 1).padStart(4)}  ${indent}const rung${i} = planLadder({ width: ${1920 - i}, fps: ${24 + (i % 7)} });`,
    );
  }
  return lines.join('\n');
}
