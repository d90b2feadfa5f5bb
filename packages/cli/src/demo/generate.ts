import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toIso6392 } from '@marquee/encoder';
import type { DemoVideo } from './catalog.js';

const run = promisify(execFile);

function srt(lines: string[], seconds: number): string {
  const each = seconds / lines.length;
  const stamp = (t: number) => {
    const ms = Math.round(t * 1000);
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    const s = Math.floor((ms % 60_000) / 1000);
    return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')},${String(ms % 1000).padStart(3, '0')}`;
  };
  return lines
    .map((line, i) => `${i + 1}\n${stamp(i * each)} --> ${stamp((i + 1) * each - 0.1)}\n${line}\n`)
    .join('\n');
}

/** The ffmpeg arguments that synthesise one demo video (pure; every input is lavfi or our own SRT). */
export function demoVideoArgs(video: DemoVideo, subtitleFiles: string[], output: string): string[] {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `${video.video},format=yuv420p`,
  ];
  for (const [, freq] of video.audio)
    args.push('-f', 'lavfi', '-i', `sine=frequency=${freq}:sample_rate=48000`);
  for (const file of subtitleFiles) args.push('-i', file);
  args.push('-map', '0:v');
  video.audio.forEach((_, i) => args.push('-map', `${i + 1}:a`));
  subtitleFiles.forEach((_, i) => args.push('-map', `${video.audio.length + 1 + i}:s`));
  // MP4 wants ISO 639-2 ("spa"): a two-letter "es" is retagged "eng" or dropped, depending on the ffmpeg.
  video.audio.forEach(([lang], i) => args.push(`-metadata:s:a:${i}`, `language=${toIso6392(lang)}`));
  (video.subtitles ?? []).forEach(([lang], i) =>
    args.push(`-metadata:s:s:${i}`, `language=${toIso6392(lang)}`),
  );
  args.push('-t', String(video.seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-g', '60');
  args.push('-c:a', 'aac', '-b:a', '96k', '-ac', '2');
  if (subtitleFiles.length > 0) args.push('-c:s', 'mov_text');
  args.push('-movflags', '+faststart', output);
  return args;
}

/** Writes one demo video file into `dir` and returns its path. */
export async function generateDemoVideo(
  ffmpeg: string,
  video: DemoVideo,
  dir: string,
  name: string,
): Promise<string> {
  const subtitleFiles: string[] = [];
  for (const [lang, lines] of video.subtitles ?? []) {
    const file = join(dir, `${name}.${lang}.srt`);
    await writeFile(file, srt(lines, video.seconds));
    subtitleFiles.push(file);
  }
  const output = join(dir, `${name}.mp4`);
  await run(ffmpeg, demoVideoArgs(video, subtitleFiles, output), { timeout: 120_000 });
  return output;
}
