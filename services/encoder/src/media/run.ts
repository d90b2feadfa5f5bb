import { spawn } from 'node:child_process';
import { limitCommand, residentBytes, type MemoryLimitStrategy } from './memory-limit.js';
import { ProgressParser, type FfmpegProgress } from './progress-parser.js';

export interface RunLimits {
  /** Hard wall-clock limit: the process group is SIGKILLed when it expires. */
  wallTimeMs: number;
  /** Address-space (prlimit) or resident-set (watchdog) limit; see MemoryLimitStrategy. */
  memoryBytes?: number;
}

export interface RunOptions {
  limits: RunLimits;
  signal?: AbortSignal;
  cwd?: string;
  /**
   * What stdout carries: `capture` returns it (ffprobe JSON), `progress` parses ffmpeg's
   * `-progress pipe:1` reports into onProgress, `ignore` discards it.
   */
  stdout?: 'capture' | 'progress' | 'ignore';
  onProgress?: (progress: FfmpegProgress) => void;
  /** Only the last this-many bytes of stderr are kept (default 64 KiB): ffmpeg can log without end. */
  stderrLimitBytes?: number;
  /** Captured stdout beyond this kills the process (default 16 MiB): a probe answer is small. */
  stdoutLimitBytes?: number;
}

export type RunOutcome = 'exited' | 'timed_out' | 'aborted' | 'memory_exceeded' | 'output_exceeded';

export interface RunResult {
  outcome: RunOutcome;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The tail of stderr (see stderrLimitBytes). */
  stderr: string;
  elapsedMs: number;
}

export interface MediaRunner {
  readonly memoryLimit: MemoryLimitStrategy['kind'];
  /** Runs `command args` directly (never through a shell) with no stdin, under the given limits. */
  run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult>;
}

export interface MediaRunnerOptions {
  memoryLimit: MemoryLimitStrategy;
  /** Prepended to every command line (diagnostics and tests, e.g. `strace -f -o trace.txt`). */
  commandPrefix?: readonly string[];
}

/** Process groups still running, killed if Node exits first so that no ffmpeg outlives us. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const group of liveGroups) killGroup(group);
    });
  }
  liveGroups.add(pid);
}

function killGroup(pid: number): void {
  try {
    // Negative pid: the whole group (ffmpeg under prlimit/strace, and anything it started).
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const WATCHDOG_INTERVAL_MS = 250;

export function createMediaRunner(options: MediaRunnerOptions): MediaRunner {
  const prefix = options.commandPrefix ?? [];
  return {
    memoryLimit: options.memoryLimit.kind,
    run(command, args, runOptions) {
      const limited = limitCommand(options.memoryLimit, runOptions.limits.memoryBytes, command, args);
      const [file, ...fileArgs] = [...prefix, limited.command, ...limited.args] as [string, ...string[]];
      return runLimited(file, fileArgs, runOptions, options.memoryLimit.kind === 'rss-watchdog');
    },
  };
}

function runLimited(
  file: string,
  args: string[],
  options: RunOptions,
  watchRss: boolean,
): Promise<RunResult> {
  const started = Date.now();
  const stderrLimit = options.stderrLimitBytes ?? 64 * 1024;
  const stdoutLimit = options.stdoutLimitBytes ?? 16 * 1024 * 1024;
  const stdoutMode = options.stdout ?? 'ignore';
  return new Promise<RunResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ outcome: 'aborted', exitCode: null, signal: null, stdout: '', stderr: '', elapsedMs: 0 });
      return;
    }
    const child = spawn(file, args, {
      cwd: options.cwd,
      stdio: ['ignore', stdoutMode === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
      detached: true, // its own process group, so a kill reaches every process under it
      shell: false,
      windowsHide: true,
    });
    let outcome: RunOutcome = 'exited';
    let stderr = Buffer.alloc(0);
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    const parser = new ProgressParser();
    let settled = false;

    const stop = (why: RunOutcome): void => {
      if (outcome === 'exited') outcome = why;
      if (child.pid !== undefined) killGroup(child.pid);
    };
    const timer = setTimeout(() => stop('timed_out'), options.limits.wallTimeMs);
    const onAbort = (): void => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const memoryLimit = options.limits.memoryBytes;
    const watchdog =
      watchRss && memoryLimit !== undefined && child.pid !== undefined
        ? setInterval(() => {
            void residentBytes(child.pid!).then((rss) => {
              if (rss !== undefined && rss > memoryLimit) stop('memory_exceeded');
            });
          }, WATCHDOG_INTERVAL_MS)
        : undefined;
    if (child.pid !== undefined) trackGroup(child.pid);

    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (stderr.length > stderrLimit) stderr = stderr.subarray(stderr.length - stderrLimit);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdoutMode === 'progress') {
        for (const report of parser.push(chunk.toString('utf8'))) options.onProgress?.(report);
        return;
      }
      stdoutBytes += chunk.length;
      if (stdoutBytes > stdoutLimit) stop('output_exceeded');
      else stdoutChunks.push(chunk);
    });

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (watchdog) clearInterval(watchdog);
      options.signal?.removeEventListener('abort', onAbort);
      // Not killed again after a normal exit: the pid may already belong to someone else.
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      resolve({
        outcome,
        exitCode,
        signal,
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stderr: stderr.toString('utf8'),
        elapsedMs: Date.now() - started,
      });
    };
    // 'close' waits for stdio to drain, so the last progress report and stderr lines are in.
    child.on('close', finish);
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (watchdog) clearInterval(watchdog);
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}
