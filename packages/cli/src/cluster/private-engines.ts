import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../ports.js';
import { OrphanWatch } from './orphan-watch.js';

/**
 * Private PostgreSQL, Redis and NATS JetStream servers for experiments that stop an engine: each its own
 * process on its own loopback port and data directory, so that nothing the machine itself runs is ever
 * stopped. An engine stopped and started again keeps its port and its data (Redis with an append-only
 * file, NATS with its JetStream store, PostgreSQL with its cluster directory), as a real outage would.
 * They are spawned detached (a group each, so that a stop reaches PostgreSQL's children) and would
 * outlive a SIGKILLed rig: an OrphanWatch kills them and removes their data then.
 */

export type EngineName = 'postgres' | 'redis' | 'nats';

export interface PrivateEngine {
  name: EngineName;
  url: string;
  running(): boolean;
  /** The server's pid (its process group), while it runs. */
  pid(): number | undefined;
  /** Stops the server: gracefully (SIGTERM) or as a crash (SIGKILL). */
  stop(how?: 'graceful' | 'kill'): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
}

export interface PrivateEngines {
  engines: Record<EngineName, PrivateEngine>;
  /** DATABASE_URL, REDIS_URL and NATS_URL pointing at the private servers. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

const run = promisify(execFile);

/** PostgreSQL refuses to run as root; on these machines its binaries run as the `postgres` user then. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function postgresBin(name: string): Promise<string> {
  const { stdout } = await run('pg_config', ['--bindir']).catch(() => ({ stdout: '' }));
  const dir = stdout.trim() || '/usr/lib/postgresql/15/bin';
  return join(dir, name);
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

async function waitForPort(
  port: number,
  what: string,
  child: ChildProcess,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited at start`);
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One server process that can be stopped and started again with the same command line. */
function serverProcess(
  watch: OrphanWatch,
  name: EngineName,
  url: string,
  port: number,
  command: () => [string, string[]],
  gracefulSignal: NodeJS.Signals = 'SIGTERM',
  /** Beyond listening, whether it serves (PostgreSQL after its startup recovery). */
  serves: () => Promise<boolean> = async () => true,
): PrivateEngine {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const engine: PrivateEngine = {
    name,
    url,
    running: alive,
    pid: () => (alive() ? child?.pid : undefined),
    async start() {
      if (alive()) return;
      const [bin, args] = command();
      const started = spawn(bin, args, { detached: true, stdio: 'ignore' });
      child = started;
      watch.track(started.pid);
      exited = new Promise((r) =>
        started.once('exit', () => {
          watch.untrack(started.pid);
          r();
        }),
      );
      await waitForPort(port, name, started);
      for (let tries = 0; !(await serves()); tries += 1) {
        if (tries > 300) throw new Error(`${name} listens on ${port} but does not serve`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(how = 'graceful') {
      if (!alive() || !child?.pid) return;
      const pid = child.pid;
      try {
        process.kill(-pid, how === 'kill' ? 'SIGKILL' : gracefulSignal);
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return engine;
}

export async function startPrivateEngines(): Promise<PrivateEngines> {
  const root = await mkdtemp(join(tmpdir(), 'marquee-engines-'));
  const watch = OrphanWatch.start(join(root, 'orphan-plan'));
  watch.removeOnOrphan(root);
  const started: PrivateEngine[] = [];
  // An exception or process.exit (the rig's signal handlers) runs this: the groups go at once.
  const killOnExit = () => {
    for (const e of started) {
      const pid = e.pid();
      if (pid === undefined) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  process.on('exit', killOnExit);
  try {
    const [pgPort, redisPort, natsPort] = await Promise.all([
      freePort('127.0.0.1'),
      freePort('127.0.0.1'),
      freePort('127.0.0.1'),
    ]);

    const redisDir = join(root, 'redis');
    await mkdir(redisDir);
    const redis = serverProcess(watch, 'redis', `redis://127.0.0.1:${redisPort}`, redisPort, () => [
      'redis-server',
      [
        ...['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--save', ''],
        // Every write reaches the file before Redis answers: a restart keeps leases and counters.
        ...['--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', '--logfile', ''],
      ],
    ]);

    const natsDir = join(root, 'nats');
    await mkdir(natsDir);
    const nats = serverProcess(watch, 'nats', `nats://127.0.0.1:${natsPort}`, natsPort, () => [
      'nats-server',
      ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', natsDir],
    ]);

    const pgDir = join(root, 'postgres');
    await mkdir(pgDir);
    const owner = await postgresUser();
    if (owner) {
      // mkdtemp makes the root 0700: the postgres user could not even reach its own directory in it.
      await chmod(root, 0o711);
      await chown(pgDir, owner.uid, owner.gid);
    }
    const asPostgres = (bin: string, args: string[]): [string, string[]] =>
      owner ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
    const [initdb, postgresServer] = await Promise.all([postgresBin('initdb'), postgresBin('postgres')]);
    const [initBin, initArgs] = asPostgres(initdb, [
      '-D',
      join(pgDir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
    ]);
    await run(initBin, initArgs, { timeout: 60_000 });
    const postgres = serverProcess(
      watch,
      'postgres',
      `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      pgPort,
      () =>
        asPostgres(postgresServer, [
          ...['-D', join(pgDir, 'data'), '-p', String(pgPort), '-k', pgDir],
          ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'shared_buffers=64MB'],
        ]),
      // SIGINT is PostgreSQL's fast shutdown; SIGTERM's smart one would wait for every pool to hang up.
      'SIGINT',
      // Listening is not ready: it answers "the database system is starting up" until recovery is done.
      async () => {
        const isReady = await postgresBin('pg_isready');
        return run(isReady, ['-q', '-h', '127.0.0.1', '-p', String(pgPort)]).then(
          () => true,
          () => false,
        );
      },
    );

    for (const engine of [redis, nats, postgres]) {
      await engine.start();
      started.push(engine);
    }
    return {
      engines: { postgres, redis, nats },
      env: { DATABASE_URL: postgres.url, REDIS_URL: redis.url, NATS_URL: nats.url },
      async dispose() {
        await Promise.allSettled(started.map((e) => e.stop('graceful')));
        process.off('exit', killOnExit);
        watch.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((e) => e.stop('kill')));
    process.off('exit', killOnExit);
    watch.stop();
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}
