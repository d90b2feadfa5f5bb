import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { complexityProbeArgs, probeBitrateKbps, type ComplexityPlan } from '../app/complexity.js';
import { MediaRejectedError } from '../app/errors.js';
import type { SourceInfo } from '../app/probe.js';
import { encodeFailure } from './failures.js';
import type { MediaTools } from './media-tools.js';
import type { RunLimits } from './run.js';

export interface FfmpegRunOptions {
  limits: RunLimits;
  signal?: AbortSignal;
  /** Fraction of this run done, 0..1. */
  onProgress?: (fraction: number) => void;
}

/**
 * Runs the complexity probe (which is also the decode check) and returns its bit rate. The probe's
 * output is a scratch file in `workDir`, removed afterwards.
 */
export async function runComplexityProbe(
  tools: MediaTools,
  info: SourceInfo,
  plan: ComplexityPlan,
  input: { sourcePath: string; workDir: string; preset: string; outputFps: string; fps: number },
  options: FfmpegRunOptions,
): Promise<{ bitrateKbps: number; pixels: number }> {
  const scratch = join(input.workDir, '.complexity.h264');
  const args = complexityProbeArgs(plan, info, input.sourcePath, scratch, input.preset, input.outputFps);
  const planned = plan.samples.reduce((sum, s) => sum + s.durationSeconds, 0);
  let frames = 0;
  const result = await tools.runner.run(tools.binaries.ffmpeg, args, {
    limits: options.limits,
    stdout: 'progress',
    cwd: input.workDir,
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => {
      frames = p.frame ?? frames;
      options.onProgress?.(Math.min(1, p.outTimeSeconds / planned));
    },
  });
  try {
    if (result.outcome !== 'exited' || result.exitCode !== 0)
      throw encodeFailure(result, 'The decode check', options.limits);
    const bytes = await stat(scratch).then(
      (s) => s.size,
      () => 0,
    );
    if (frames === 0 || bytes === 0)
      throw new MediaRejectedError('The video could not be decoded: no picture came out of it.');
    return { bitrateKbps: probeBitrateKbps(bytes, frames, input.fps), pixels: plan.width * plan.height };
  } finally {
    await rm(scratch, { force: true });
  }
}

/**
 * One ffmpeg run of `args` in `cwd` (the picture or the sound of a title, a chunk's ladder, the
 * trickplay sheets):
 * throws what encodeFailure makes of a failure. `durationSeconds` turns out_time into progress.
 */
export async function runFfmpeg(
  tools: MediaTools,
  args: string[],
  cwd: string,
  label: string,
  durationSeconds: number,
  options: FfmpegRunOptions,
): Promise<void> {
  const result = await tools.runner.run(tools.binaries.ffmpeg, args, {
    limits: options.limits,
    cwd,
    ...(args.includes('pipe:1') ? { stdout: 'progress' as const } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) =>
      options.onProgress?.(p.done ? 1 : Math.min(1, p.outTimeSeconds / Math.max(durationSeconds, 0.001))),
  });
  if (result.outcome !== 'exited' || result.exitCode !== 0)
    throw encodeFailure(result, label, options.limits);
}
