import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';

/**
 * How a child's memory is bounded:
 * - `prlimit` (util-linux): the child is exec'd with RLIMIT_AS set, so the kernel refuses allocations
 *   past the limit and ffmpeg fails cleanly. Preferred: it cannot be outrun.
 * - `rss-watchdog`: no prlimit, but Linux /proc: we poll the child's resident set every 250 ms and
 *   SIGKILL it past the limit. A fast burst can overshoot for up to one poll interval.
 * - `none`: neither (e.g. macOS without util-linux): only the wall-time limit applies. Logged at start.
 * Node cannot call setrlimit itself and we never go through a shell (`ulimit`), hence these three.
 */
export type MemoryLimitStrategy =
  { kind: 'prlimit'; path: string } | { kind: 'rss-watchdog' } | { kind: 'none' };

export async function detectMemoryLimit(searchPath: string): Promise<MemoryLimitStrategy> {
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const candidate = join(dir, 'prlimit');
    try {
      await access(candidate, constants.X_OK);
      return { kind: 'prlimit', path: candidate };
    } catch {
      // not in this directory
    }
  }
  try {
    await access('/proc/self/status', constants.R_OK);
    return { kind: 'rss-watchdog' };
  } catch {
    return { kind: 'none' };
  }
}

/** The command line that runs `command args` under the strategy's limit (only prlimit rewrites it). */
export function limitCommand(
  strategy: MemoryLimitStrategy,
  memoryBytes: number | undefined,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  if (strategy.kind !== 'prlimit' || memoryBytes === undefined) return { command, args: [...args] };
  return { command: strategy.path, args: [`--as=${Math.floor(memoryBytes)}`, '--', command, ...args] };
}

/** Resident set size of a process in bytes, or undefined once it is gone. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
