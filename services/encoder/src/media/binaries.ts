import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MediaToolsUnavailableError } from '../app/errors.js';
import type { MediaRunner } from './run.js';

export type BinarySource = 'env' | 'system' | 'npm';

export interface MediaBinaries {
  ffmpeg: string;
  ffprobe: string;
  /** First line of `ffmpeg -version`, e.g. "5.1.9-0+deb12u1". */
  version: string;
  source: BinarySource;
}

export interface ResolveBinariesOptions {
  /** FFMPEG_PATH / FFPROBE_PATH as parsed by the config layer; this module never reads process.env. */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Directories searched for the system's ffmpeg, `:`-separated (the config layer passes PATH). */
  searchPath: string;
  runner: MediaRunner;
  warn?: (message: string) => void;
}

const NPM_WARNING =
  'Using the static ffmpeg shipped in @ffmpeg-installer/ffmpeg (a 2018 build): it works, but it is old ' +
  'and has known security bugs, so do not feed it untrusted uploads in production. Install a current ' +
  'ffmpeg (`apt-get install ffmpeg`) or set FFMPEG_PATH and FFPROBE_PATH.';

const HOW_TO_FIX =
  'Install an ffmpeg with libx264 (Debian/Ubuntu: `apt-get install ffmpeg`; macOS: `brew install ffmpeg`) ' +
  'or point FFMPEG_PATH and FFPROBE_PATH at one.';

interface Candidate {
  source: BinarySource;
  ffmpeg: string;
  ffprobe: string;
}

/**
 * Chooses ffmpeg/ffprobe: FFMPEG_PATH/FFPROBE_PATH when given (and then nothing else: an explicit
 * choice that does not work is an error), else the system's, else the npm static build (with a
 * warning). Each candidate must pass checkCapabilities; a system ffmpeg that fails it (e.g. a build
 * without libx264) is skipped with a warning rather than silently producing nothing.
 */
export async function resolveMediaBinaries(options: ResolveBinariesOptions): Promise<MediaBinaries> {
  const warn = options.warn ?? (() => {});
  const problems: string[] = [];
  for (const candidate of await candidates(options)) {
    try {
      const version = await checkCapabilities(options.runner, candidate.ffmpeg, candidate.ffprobe);
      if (candidate.source === 'npm') warn(NPM_WARNING);
      return { ...candidate, version };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (candidate.source === 'env') {
        throw new MediaToolsUnavailableError(
          `FFMPEG_PATH/FFPROBE_PATH do not work: ${message}. ${HOW_TO_FIX}`,
        );
      }
      problems.push(`${candidate.source} (${candidate.ffmpeg}): ${message}`);
      warn(`Skipping the ${candidate.source} ffmpeg at ${candidate.ffmpeg}: ${message}`);
    }
  }
  const tried = problems.length > 0 ? ` Tried: ${problems.join('; ')}.` : ' No ffmpeg was found.';
  throw new MediaToolsUnavailableError(`No usable ffmpeg.${tried} ${HOW_TO_FIX}`);
}

async function candidates(options: ResolveBinariesOptions): Promise<Candidate[]> {
  if (options.ffmpegPath !== undefined || options.ffprobePath !== undefined) {
    const ffmpeg = options.ffmpegPath ?? (await findIn(options.searchPath, 'ffmpeg')) ?? 'ffmpeg';
    // An explicit ffmpeg usually has its ffprobe beside it.
    const ffprobe = options.ffprobePath ?? join(dirname(ffmpeg), 'ffprobe');
    return [{ source: 'env', ffmpeg, ffprobe }];
  }
  const found: Candidate[] = [];
  const systemFfmpeg = await findIn(options.searchPath, 'ffmpeg');
  const systemFfprobe = await findIn(options.searchPath, 'ffprobe');
  if (systemFfmpeg && systemFfprobe)
    found.push({ source: 'system', ffmpeg: systemFfmpeg, ffprobe: systemFfprobe });
  const npm = npmBinaries();
  if (npm) found.push({ source: 'npm', ...npm });
  return found;
}

async function findIn(searchPath: string, name: string): Promise<string | undefined> {
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

function npmBinaries(): { ffmpeg: string; ffprobe: string } | undefined {
  const require = createRequire(import.meta.url);
  try {
    // These packages throw (a string) on unsupported platforms; that just means no npm candidate.
    const ffmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    const ffprobe = (require('@ffprobe-installer/ffprobe') as { path: string }).path;
    return { ffmpeg, ffprobe };
  } catch {
    return undefined;
  }
}

const CHECK_LIMITS = { wallTimeMs: 15_000, memoryBytes: 1024 ** 3 };

/**
 * Proves the pair can do what the encoder asks of it: libx264 and aac encoders, the HLS muxer with
 * fMP4 segments, the filters of the one-decode command, and a working ffprobe. Returns the version.
 */
export async function checkCapabilities(
  runner: MediaRunner,
  ffmpeg: string,
  ffprobe: string,
): Promise<string> {
  const run = async (bin: string, args: string[]): Promise<string> => {
    let result;
    try {
      result = await runner.run(bin, args, { limits: CHECK_LIMITS, stdout: 'capture' });
    } catch (err) {
      throw new Error(`cannot run ${bin} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    if (result.outcome !== 'exited' || result.exitCode !== 0) {
      throw new Error(`\`${bin} ${args.join(' ')}\` failed: ${result.stderr.trim().split('\n').pop() ?? ''}`);
    }
    return result.stdout;
  };
  const versionText = await run(ffmpeg, ['-hide_banner', '-version']);
  await run(ffprobe, ['-hide_banner', '-version']);
  const encoders = await run(ffmpeg, ['-hide_banner', '-encoders']);
  const missing = ['libx264', 'aac', 'mjpeg', 'webvtt'].filter(
    (name) => !new RegExp(`\\s${name}\\s`).test(encoders),
  );
  const filters = await run(ffmpeg, ['-hide_banner', '-filters']);
  missing.push(
    ...['split', 'scale', 'fps', 'trim', 'tile', 'concat'].filter(
      (f) => !new RegExp(`\\s${f}\\s`).test(filters),
    ),
  );
  const hls = await run(ffmpeg, ['-hide_banner', '-h', 'muxer=hls']);
  if (!/hls_segment_type/.test(hls) || !/\bfmp4\b/.test(hls)) missing.push('HLS muxer with fMP4 segments');
  if (!/var_stream_map/.test(hls)) missing.push('HLS var_stream_map');
  if (missing.length > 0) throw new Error(`this ffmpeg lacks ${missing.join(', ')}`);
  return /version\s+(\S+)/.exec(versionText)?.[1] ?? 'unknown';
}

/**
 * The encoders of `wanted` that this ffmpeg lacks (e.g. `libsvtav1` when the install enables AV1: the
 * 2018 npm build has none; Debian 12's ffmpeg has it).
 */
export async function missingEncoders(
  runner: MediaRunner,
  ffmpeg: string,
  wanted: readonly string[],
): Promise<string[]> {
  const result = await runner.run(ffmpeg, ['-hide_banner', '-encoders'], {
    limits: CHECK_LIMITS,
    stdout: 'capture',
  });
  return wanted.filter((name) => !new RegExp(`\\s${name}\\s`).test(result.stdout));
}
