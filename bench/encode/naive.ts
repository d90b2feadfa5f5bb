import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cmafHlsMuxerArgs, type EncodedAsset } from '@marquee/encoder';

/**
 * The naive approach the issue compares against: one ffmpeg per rung, in sequence, each decoding the
 * whole source again, with the same rungs, x264 preset, rate control, GOP and CMAF HLS packaging as
 * Marquee's run, then one more run for the audio rendition. No probe, ladder, poster or trickplay.
 */
export function naiveCommands(
  asset: EncodedAsset,
  sourcePath: string,
  preset: string,
  threads: number | undefined,
): string[][] {
  const fps = asset.renditions[0]!.frameRate;
  const gop = String(Math.round(4 * fps));
  const input = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-protocol_whitelist',
    'file',
    '-i',
    `file:${sourcePath}`,
  ];
  const hls = (dir: string) => [...cmafHlsMuxerArgs(4, `${dir}/seg_%05d.m4s`), `${dir}/index.m3u8`];
  const video = asset.renditions.map(({ rung }) => [
    ...input,
    '-map',
    '0:v:0',
    '-vf',
    `fps=${fps},format=yuv420p,scale=${rung.width}:${rung.height},setsar=1`,
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-g',
    gop,
    '-keyint_min',
    gop,
    '-sc_threshold',
    '0',
    '-flags:v',
    '+cgop',
    '-force_key_frames',
    'expr:gte(t,n_forced*4)',
    ...(threads !== undefined ? ['-threads', String(threads)] : []),
    '-b:v',
    `${rung.bitrateKbps}k`,
    '-maxrate',
    `${rung.maxrateKbps}k`,
    '-bufsize',
    `${rung.bufsizeKbps}k`,
    '-level',
    `${Math.floor(rung.level / 10)}.${rung.level % 10}`,
    ...hls(`video_${rung.name}`),
  ]);
  const audio = asset.audio.map((a, j) => [
    ...input,
    '-map',
    `0:a:${j}`,
    '-vn',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ac',
    String(a.channels),
    '-ar',
    '48000',
    ...hls(`audio_${j}`),
  ]);
  return [...video, ...audio];
}

export async function runNaive(ffmpeg: string, commands: string[][], workDir: string): Promise<void> {
  for (const args of commands) {
    await mkdir(join(workDir, args.at(-1)!.split('/')[0]!), { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const child = spawn(ffmpeg, args, { cwd: workDir, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`naive ffmpeg failed (${code})`)),
      );
    });
  }
}
