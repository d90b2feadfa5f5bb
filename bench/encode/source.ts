import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { MediaTools } from '@marquee/encoder';
import { testMediaTools } from '@marquee/encoder/testing';

/**
 * What every encode bench starts from: the media tools (FFMPEG_PATH / FFPROBE_PATH choose the build,
 * else PATH's, as for the encoder's tests) and a `seconds`-long bench source, `<dir>/source.mp4`.
 */
export async function prepareBenchSource(
  dir: string,
  seconds: number,
): Promise<{ tools: MediaTools; source: string }> {
  const tools = await testMediaTools({ warn: (m) => console.warn(m) });
  const source = join(dir, 'source.mp4');
  console.log(`making a ${seconds} s 1080p30 noisy source…`);
  await makeBenchSource(tools.binaries.ffmpeg, source, seconds);
  return { tools, source };
}

/**
 * The bench source (FACTS.md "Encoding"): 60 s of 1080p30 testsrc2 with temporal noise, so the encoder
 * cannot coast on static pictures, at 20 Mbit/s like a typical mezzanine file, plus a stereo AAC track.
 * Made with the same ffmpeg as the encode; not timed.
 */
export function makeBenchSource(ffmpeg: string, path: string, seconds: number): Promise<void> {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=1920x1080:rate=30:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=48000:duration=${seconds},aformat=channel_layouts=stereo`,
    '-vf',
    'noise=alls=10:allf=t',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-b:v',
    '20M',
    '-maxrate',
    '25M',
    '-bufsize',
    '40M',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-shortest',
    path,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`source generation failed (${code})`)),
    );
  });
}
