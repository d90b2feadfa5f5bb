import {
  loudnessMeasureArgs,
  parseLoudnessReports,
  type LoudnessInput,
  type LoudnessReading,
  type LoudnessSettings,
} from '../app/loudness.js';
import { encodeFailure } from './failures.js';
import type { FfmpegRunOptions } from './ffmpeg-runs.js';
import type { MediaTools } from './media-tools.js';

/**
 * Measures the loudness of several audio streams of one input in one audio-only ffmpeg run (loudnorm's
 * first pass). A track loudnorm printed no report for (no samples at all) reads as undefined, i.e. silent.
 */
export async function measureLoudness(
  tools: MediaTools,
  inputArgs: readonly string[],
  inputs: readonly LoudnessInput[],
  settings: LoudnessSettings,
  options: Omit<FfmpegRunOptions, 'onProgress'> & { stage: string },
): Promise<(LoudnessReading | undefined)[]> {
  if (inputs.length === 0) return [];
  const result = await tools.runner.run(
    tools.binaries.ffmpeg,
    loudnessMeasureArgs(inputArgs, inputs, settings),
    {
      limits: options.limits,
      stdout: 'ignore',
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  if (result.outcome !== 'exited' || result.exitCode !== 0)
    throw encodeFailure(result, options.stage, options.limits);
  return parseLoudnessReports(result.stderr, inputs.length);
}
