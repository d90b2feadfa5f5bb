import { codecProfile, type CodecId } from '../app/codecs/index.js';
import { MediaToolsUnavailableError } from '../app/errors.js';
import { missingEncoders, resolveMediaBinaries, type MediaBinaries } from './binaries.js';
import { detectMemoryLimit } from './memory-limit.js';
import { detectRealtimeGuard } from './realtime-guard.js';
import { createMediaRunner, type MediaRunner } from './run.js';

/** The chosen ffmpeg/ffprobe and the runner that executes them under limits. */
export interface MediaTools {
  binaries: MediaBinaries;
  runner: MediaRunner;
  /** Where a run that fails without failing the job says so (a quality probe falling back, say). */
  warn?: (message: string) => void;
}

export interface OpenMediaToolsOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  /** The PATH to search for ffmpeg, ffprobe and prlimit (passed in by the config layer). */
  searchPath: string;
  warn?: (message: string) => void;
  /** Prepended to every command (diagnostics/tests: `strace -f -o …`). */
  commandPrefix?: readonly string[];
  /** ENCODER_CODECS: the chosen ffmpeg must have each codec's encoder, else start-up fails saying so. */
  codecs?: readonly CodecId[];
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
  const wanted = (options.codecs ?? []).map((id) => codecProfile(id).encoder);
  const missing = wanted.length > 0 ? await missingEncoders(checker, binaries.ffmpeg, wanted) : [];
  if (missing.length > 0) {
    throw new MediaToolsUnavailableError(
      `ENCODER_CODECS needs the ffmpeg encoder(s) ${missing.join(', ')}, which ${binaries.ffmpeg} lacks. ` +
        'Debian/Ubuntu: `apt-get install ffmpeg` (Debian 12 has libsvtav1), or set ENCODER_CODECS=h264.',
    );
  }
  // As root, media tools run without CAP_SYS_NICE (realtime-guard.ts: SVT-AV1 would take SCHED_FIFO).
  const guard = await detectRealtimeGuard(options.searchPath, process.getuid?.(), options.warn);
  const prefix = [...guard, ...(options.commandPrefix ?? [])];
  const runner = prefix.length > 0 ? createMediaRunner({ memoryLimit, commandPrefix: prefix }) : checker;
  return { binaries, runner, warn: options.warn };
}
