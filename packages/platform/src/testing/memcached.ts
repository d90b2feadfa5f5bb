import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { answers, freePort } from './local-port.js';

/**
 * A private memcached for tests: Debian's `memcached` binary on a free loopback port, in the
 * foreground as our child, so no test depends on (or disturbs) a memcached the machine may run.
 * TEST_MEMCACHED_URL points the tests at an existing server instead.
 */
export interface RunningMemcached {
  url: string;
  stop(): Promise<void>;
}

export function memcachedInstalled(): boolean {
  return spawnSync('memcached', ['-V'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts memcached with `memoryMb` of item memory (the -m flag; 64 by default) and `extraArgs`
 * (for example ['-M'] to refuse instead of evicting). Resolves once it accepts connections.
 */
export async function startMemcached(
  options: { memoryMb?: number; extraArgs?: string[] } = {},
): Promise<RunningMemcached> {
  const port = await freePort();
  const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', String(options.memoryMb ?? 64)];
  // memcached refuses to run as root unless told which user to be.
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const child: ChildProcess = spawn('memcached', [...args, ...(options.extraArgs ?? [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) break;
    if (await answers(port)) return { url: `memcached://127.0.0.1:${port}`, stop };
    await sleep(20);
  }
  await stop();
  throw new Error(`memcached did not start on 127.0.0.1:${port}: ${stderr.trim() || 'no output'}`);
}
