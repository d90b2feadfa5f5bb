import { resolveMediaBinaries, type MediaBinaries } from './binaries.js';
import { detectMemoryLimit } from './memory-limit.js';
import { createMediaRunner, type MediaRunner } from './run.js';

/** The chosen ffmpeg/ffprobe and the runner that executes them under limits. */
export interface MediaTools {
  binaries: MediaBinaries;
  runner: MediaRunner;
}

export interface OpenMediaToolsOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  /** The PATH to search for ffmpeg, ffprobe and prlimit (passed in by the config layer). */
  searchPath: string;
  warn?: (message: string) => void;
  /** Prepended to every command (diagnostics/tests: `strace -f -o …`). */
  commandPrefix?: readonly string[];
}

/**
 * Start-up: picks and checks the binaries (failing with instructions when none is usable) and the
 * memory-limit mechanism. Call once; share the result.
 *
 * @example
 *   const tools = await openMediaTools({ ffmpegPath: config.FFMPEG_PATH, searchPath: config.PATH, warn: log.warn });
 */
export async function openMediaTools(options: OpenMediaToolsOptions): Promise<MediaTools> {
  const memoryLimit = await detectMemoryLimit(options.searchPath);
  if (memoryLimit.kind === 'none') {
    options.warn?.(
      'Neither prlimit nor /proc is available: ffmpeg runs with a time limit but no memory limit.',
    );
  }
  const checker = createMediaRunner({ memoryLimit });
  const binaries = await resolveMediaBinaries({ ...options, runner: checker });
  const runner = options.commandPrefix
    ? createMediaRunner({ memoryLimit, commandPrefix: options.commandPrefix })
    : checker;
  return { binaries, runner };
}
