import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { planComplexityProbe, type ComplexityPlan } from '../app/complexity.js';
import { outputFrameRate } from '../app/encode-args.js';
import { planHullLadder, type ProbePoint } from '../app/ladder-hull.js';
import type { Rung } from '../app/ladder.js';
import type { SourceInfo } from '../app/probe.js';
import {
  parseSsimSummaries,
  planQualityProbe,
  probeEncodeRuns,
  probeScoreRuns,
  probeFile,
  probePoints,
  qualityProbeEncodeArgs,
  qualityProbeMeasureArgs,
} from '../app/quality-probe.js';
import { encodeFailure } from './failures.js';
import { probeSource } from './probe-source.js';
import type { MediaTools } from './media-tools.js';
import type { RunLimits } from './run.js';

export interface QualityProbeInput {
  sourcePath: string;
  /** Scratch space: the probe files go to a directory in it, removed afterwards. */
  workDir: string;
  preset: string;
  outputFps: string;
  fps: number;
  /** The ladder's segment (and closed GOP) length: the probe encodes are rate-controlled as its rungs. */
  segmentSeconds: number;
}

/**
 * Runs the quality probe (app/quality-probe.ts: one encode run, one scoring run) and returns its
 * points; undefined when a run fails for any reason but cancellation, so the caller keeps the heuristic
 * ladder rather than failing an upload the decode check has already accepted.
 */
export async function runQualityProbe(
  tools: MediaTools,
  info: SourceInfo,
  complexity: ComplexityPlan,
  input: QualityProbeInput,
  options: { limits: RunLimits; signal?: AbortSignal },
): Promise<ProbePoint[] | undefined> {
  const plan = planQualityProbe(info, complexity, {
    preset: input.preset,
    fps: input.fps,
    segmentSeconds: input.segmentSeconds,
  });
  const dir = join(input.workDir, '.quality-probe');
  const run = (args: string[]) =>
    tools.runner.run(tools.binaries.ffmpeg, args, {
      limits: options.limits,
      cwd: dir,
      stdout: 'ignore',
      stderrLimitBytes: 512 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  // A failed run keeps the heuristic ladder, and says why: an operator who asked for the hull ladder
  // should not find the heuristic's rungs without a word (1080p titles did, until the runs were split).
  const fallBack = (what: string, why: string) => {
    tools.warn?.(`The quality probe's ${what} failed (${why}); the heuristic ladder is used`);
    return undefined;
  };
  /** One run's result; undefined when it failed (said above); an aborted run throws. */
  const attempt = async (args: string[], what: string) => {
    const result = await run(args);
    if (result.outcome === 'aborted') throw encodeFailure(result, 'The quality probe', options.limits);
    if (result.outcome === 'exited' && result.exitCode === 0) return result;
    const code = result.exitCode ? ` ${result.exitCode}` : '';
    return fallBack(what, `${result.outcome}${code}: ${result.stderr.trim().slice(-300)}`);
  };
  await mkdir(dir, { recursive: true });
  try {
    for (const points of probeEncodeRuns(plan)) {
      const args = qualityProbeEncodeArgs(plan, info, input.sourcePath, input.outputFps, points);
      if (!(await attempt(args, 'encode run'))) return undefined;
    }
    const seconds = plan.samples.reduce((sum, s) => sum + s.durationSeconds, 0);
    const kbps: number[] = [];
    for (let j = 0; j < plan.points.length; j += 1) {
      const bytes = await stat(join(dir, probeFile(j))).then(
        (s) => s.size,
        () => 0,
      );
      kbps.push((bytes * 8) / seconds / 1000);
    }
    const ssim: number[] = [];
    for (const points of probeScoreRuns(plan)) {
      const args = qualityProbeMeasureArgs(plan, info, input.sourcePath, input.outputFps, points);
      const scored = await attempt(args, 'scoring run');
      if (!scored) return undefined;
      const scores = parseSsimSummaries(scored.stderr);
      if (scores.length !== points.length)
        return fallBack('scoring run', `${scores.length} SSIM summaries for ${points.length} probes`);
      ssim.push(...scores);
    }
    return probePoints(plan, kbps, ssim);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * ENCODER_LADDER=hull: the ladder from the quality probe, or undefined (keep the heuristic) when the
 * probe gave nothing usable.
 */
export async function probeHullLadder(
  tools: MediaTools,
  info: SourceInfo,
  complexity: ComplexityPlan,
  input: QualityProbeInput,
  options: { limits: RunLimits; signal?: AbortSignal },
): Promise<Rung[] | undefined> {
  const points = await runQualityProbe(tools, info, complexity, input, options);
  return points && planHullLadder({ width: info.width, height: info.height, fps: input.fps, probes: points });
}

/**
 * The probe on its own, for bench/quality (its cost and its points): ffprobe, the complexity probe's
 * samples, then runQualityProbe. Scratch files go to `workDir`.
 */
export async function probeTitleQuality(
  tools: MediaTools,
  sourcePath: string,
  workDir: string,
  encode: { preset: string; segmentSeconds: number },
): Promise<ProbePoint[] | undefined> {
  const info = await probeSource(tools, sourcePath, { limits: { wallTimeMs: 60_000 } });
  const fps = outputFrameRate(info.fpsRational);
  return runQualityProbe(
    tools,
    info,
    planComplexityProbe(info),
    { sourcePath, workDir, ...encode, outputFps: fps.rational, fps: fps.value },
    { limits: { wallTimeMs: 600_000 } },
  );
}
