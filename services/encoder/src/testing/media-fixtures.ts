import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMediaTools, type MediaTools, type OpenMediaToolsOptions } from '../media/media-tools.js';

/**
 * Media tools for tests. FFMPEG_PATH / FFPROBE_PATH choose the build under test (run the suite once
 * with them pointing at the npm static build to prove it works with both); unset, the system's.
 */
export function testMediaTools(
  options: Pick<OpenMediaToolsOptions, 'commandPrefix' | 'warn'> = {},
): Promise<MediaTools> {
  return openMediaTools({
    searchPath: process.env.PATH ?? '/usr/bin:/bin',
    ...(process.env.FFMPEG_PATH ? { ffmpegPath: process.env.FFMPEG_PATH } : {}),
    ...(process.env.FFPROBE_PATH ? { ffprobePath: process.env.FFPROBE_PATH } : {}),
    ...options,
  });
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `marquee-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Runs ffmpeg to make a fixture; throws with its stderr when it fails. */
export async function ffmpeg(tools: MediaTools, args: string[], cwd?: string): Promise<void> {
  const result = await tools.runner.run(
    tools.binaries.ffmpeg,
    ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args],
    {
      limits: { wallTimeMs: 120_000 },
      ...(cwd ? { cwd } : {}),
    },
  );
  if (result.outcome !== 'exited' || result.exitCode !== 0) {
    throw new Error(`fixture ffmpeg failed (${result.outcome} ${result.exitCode}): ${result.stderr}`);
  }
}

export interface SourceSpec {
  width: number;
  height: number;
  seconds: number;
  /** "25", "30000/1001". */
  rate?: string;
  /** One audio track per entry, with that language tag. */
  audio?: { language: string; frequency?: number; channels?: number }[];
  /** A text subtitle stream with two cues ("Hello", "World"). */
  subtitle?: { language: string };
  container: 'mp4' | 'mkv';
}

/**
 * A synthetic source: testsrc2 video, sine audio tracks with language tags, and an optional text
 * subtitle stream (mov_text in MP4, subrip in MKV), encoded fast.
 */
export async function makeSource(
  tools: MediaTools,
  dir: string,
  name: string,
  spec: SourceSpec,
): Promise<string> {
  const path = join(dir, name);
  const audio = spec.audio ?? [];
  const args = [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.rate ?? '25'}:duration=${spec.seconds}`,
  ];
  for (const a of audio) {
    const layout = (a.channels ?? 2) === 1 ? 'mono' : 'stereo';
    args.push(
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${a.frequency ?? 440}:sample_rate=48000:duration=${spec.seconds},aformat=channel_layouts=${layout}`,
    );
  }
  if (spec.subtitle) {
    const srt = join(dir, `${name}.srt`);
    await writeFile(
      srt,
      '1\n00:00:00,500 --> 00:00:01,500\nHello\n\n2\n00:00:02,000 --> 00:00:02,800\nWorld\n',
    );
    args.push('-i', srt);
  }
  args.push('-map', '0:v');
  audio.forEach((_, i) => args.push('-map', `${i + 1}:a`));
  if (spec.subtitle) args.push('-map', `${audio.length + 1}:s`);
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (audio.length > 0) args.push('-c:a', 'aac', '-b:a', '96k');
  audio.forEach((a, i) => args.push(`-metadata:s:a:${i}`, `language=${a.language}`));
  if (spec.subtitle) {
    args.push(
      '-c:s',
      spec.container === 'mp4' ? 'mov_text' : 'subrip',
      '-metadata:s:s:0',
      `language=${spec.subtitle.language}`,
    );
  }
  args.push(path);
  await ffmpeg(tools, args);
  return path;
}
