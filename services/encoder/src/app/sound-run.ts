import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from '../media/ffmpeg-runs.js';
import { measureLoudness } from '../media/loudness-runs.js';
import type { MediaTools } from '../media/media-tools.js';
import type { RunLimits } from '../media/run.js';
import {
  buildEncodeArgs,
  hlsVariantDir,
  MEDIA_PLAYLIST,
  videoOutputs,
  type EncodePlan,
} from './encode-args.js';
import type { LoudnessReading, LoudnessSettings } from './loudness.js';

/**
 * The one-piece encode's sound (issue 16 §4): every audio rendition in an ffmpeg run of its own, beside
 * the picture run, and the encoded renditions' loudness measured right after it — all while the picture
 * is still encoding. The picture run keeps both cores busy only as far as x264 does; these single-thread
 * passes used to run after it, on the wall clock alone. Written to `.sound/` (ffmpeg numbers a run's
 * variants from 0), then moved to the variant numbers a single run gives audio: after the video.
 */
export async function encodeSound(
  tools: MediaTools,
  plan: EncodePlan,
  workDir: string,
  loudness: LoudnessSettings | undefined,
  options: { limits: RunLimits; audioLimits: RunLimits; signal?: AbortSignal },
): Promise<(LoudnessReading | undefined)[] | undefined> {
  const dir = join(workDir, SOUND_DIR);
  await mkdir(dir);
  const signal = options.signal ? { signal: options.signal } : {};
  const seconds = plan.source.durationSeconds;
  await runFfmpeg(tools, buildEncodeArgs(plan, { audio: true }), dir, 'Encoding the audio', seconds, {
    limits: options.limits,
    ...signal,
  });
  const playlists = plan.audio.map((a, j) => ({
    playlist: join(dir, hlsVariantDir(j), MEDIA_PLAYLIST),
    channels: a.channels,
  }));
  const output = loudness
    ? await measureOutputLoudness(tools, playlists, loudness, { limits: options.audioLimits, ...signal })
    : undefined;
  const first = videoOutputs(plan).length;
  for (const j of plan.audio.keys())
    await rename(join(dir, hlsVariantDir(j)), join(workDir, hlsVariantDir(first + j)));
  await rm(dir, { recursive: true, force: true });
  return output;
}

const SOUND_DIR = '.sound';

/**
 * Measures encoded audio renditions through their playlists (before encryption: ffmpeg reads the clear
 * segments), so what is measured is exactly what players get, AAC and all.
 */
export function measureOutputLoudness(
  tools: MediaTools,
  renditions: readonly { playlist: string; channels: number }[],
  settings: LoudnessSettings,
  options: { limits: RunLimits; signal?: AbortSignal },
): Promise<(LoudnessReading | undefined)[]> {
  // Our own playlists, just written in the job's work dir: never an upload (docs/media.md, Hostile input).
  const inputArgs = renditions.flatMap((r) => [
    '-protocol_whitelist',
    'file',
    '-f',
    'hls',
    '-i',
    `file:${r.playlist}`,
  ]);
  return measureLoudness(
    tools,
    inputArgs,
    renditions.map((r, j) => ({ stream: `${j}:a:0`, channels: r.channels })),
    settings,
    { ...options, stage: 'Measuring the encoded loudness' },
  );
}
