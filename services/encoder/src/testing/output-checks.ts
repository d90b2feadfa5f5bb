import { expect } from 'vitest';
import type { MediaTools } from '../media/media-tools.js';
import { masterDecodeErrors, outputInputOptions } from './master-decode.js';

/**
 * Test-side checks of our own encoder outputs with ffprobe and ffmpeg. `encrypted`: the outputs carry
 * AES-128 keys (see outputInputOptions).
 */
export interface OutputOptions {
  /** Relative paths resolve here. */
  cwd?: string;
  encrypted?: boolean;
}

/** ffprobe's JSON (`-print_format json`) for `args`, which name what to show and the input. */
export async function ffprobeJson(
  tools: MediaTools,
  args: string[],
  options: OutputOptions = {},
): Promise<{ streams?: Record<string, unknown>[]; frames?: Record<string, unknown>[] }> {
  const result = await tools.runner.run(
    tools.binaries.ffprobe,
    ['-v', 'error', ...outputInputOptions(options.encrypted), '-print_format', 'json', ...args],
    { limits: { wallTimeMs: 120_000 }, stdout: 'capture', ...(options.cwd ? { cwd: options.cwd } : {}) },
  );
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as {
    streams?: Record<string, unknown>[];
    frames?: Record<string, unknown>[];
  };
}

/** Decodes every stream of `workDir`'s master playlist; ffmpeg must say nothing at -v error. */
export async function decodeWholeMaster(
  tools: MediaTools,
  workDir: string,
  options: Pick<OutputOptions, 'encrypted'> = {},
): Promise<void> {
  expect(await masterDecodeErrors(tools, workDir, options)).toBe('');
}
