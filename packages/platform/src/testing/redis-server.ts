import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { answers, freePort } from './local-port.js';

/**
 * A private redis-server for tests that take Redis away (SIGKILL, as a crash) and bring it back on the
 * same port, empty, as after a real restart — never the machine's Redis, which other tests share.
 *
 * @example
 *   const redis = await startRedisServer();
 *   const cache = await openCache({ url: redis.url, prefix: 'my-test:' });
 *   await redis.kill(); // … the outage …
 *   await redis.restart();
 *   afterAll(() => redis.stop());
 */
export interface RunningRedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  /** SIGKILLs the server (a crash: no save, connections cut) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Kills it if it runs and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Linux's parent-death signal through util-linux's setpriv: the server is SIGKILLed by the kernel when
 * the process that started it ends in any way (a vitest worker killed mid-test never runs 'exit' hooks).
 */
const pdeathsig = spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig');

export async function startRedisServer(): Promise<RunningRedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'marquee-redis-'));
  let child: ChildProcess | undefined;
  // The 'exit' hook covers platforms without setpriv, and a test that forgot stop().
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  const restart = async () => {
    await kill();
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ];
    const started = pdeathsig
      ? spawn('setpriv', ['--pdeathsig', 'KILL', 'redis-server', ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        })
      : spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child = started;
    for (let i = 0; !(await answers(port)); i++) {
      if (i > 200 || started.exitCode !== null) {
        await kill();
        throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${stderr.trim() || 'no output'}`);
      }
      await sleep(50);
    }
  };
  await restart();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart,
    async stop() {
      process.off('exit', killOnExit);
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
