import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** Every role started, so that the benchmark can stop them all however it ends. */
export const children: ChildProcess[] = [];

/** Starts a servers.ts role; resolves its pid and the JSON line it prints once listening. */
export function startRole<T>(
  role: string,
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<T & { pid: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [...nodeFlags, resolve('packages/cli/bin/run-ts.mjs'), resolve(import.meta.dirname, 'servers.ts'), role],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolveLine, reject) => {
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    // A log line (a warning at start-up, say) may come before the one that says where it listens.
    createInterface({ input: child.stdout }).on('line', (line) => {
      const printed = JSON.parse(line) as T & { msg?: string };
      if (printed.msg === undefined) resolveLine({ ...printed, pid: child.pid!, child });
    });
  });
}
