import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { listedBackends } from './backends.js';

/**
 * A private PostgreSQL primary and a real streaming replica of it, in a temporary directory on two
 * free loopback ports: `initdb`, `pg_ctl start`, `pg_basebackup -R -X stream` from the primary, then
 * the replica started in standby mode. Private rather than a base backup of the machine's server on
 * 5432, because that server's pg_hba.conf allows no replication connections (and a test must not
 * change the machine's server). Takes a few seconds; stop() removes both servers and the directory.
 */
export interface ReplicaPair {
  primaryUrl: string;
  replicaUrl: string;
  /** pg_wal_replay_pause() on the replica, resolved once replay has actually stopped. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Resolves once the replica has replayed everything the primary had written when it was called. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const BINARIES = ['initdb', 'pg_ctl', 'pg_basebackup'] as const;

/** The folder holding initdb and friends: on PATH, else the newest /usr/lib/postgresql/<n>/bin. */
function postgresBin(): string | undefined {
  if (spawnSync('initdb', ['--version'], { stdio: 'ignore' }).status === 0) return '';
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  const found = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  return found === undefined ? undefined : `${found}/`;
}

export function replicaToolsInstalled(): boolean {
  const bin = postgresBin();
  return bin !== undefined && BINARIES.every((b) => spawnSync(`${bin}${b}`, ['--version']).status === 0);
}

/**
 * Whether replica tests run: with `postgres` listed in BACKENDS and the server binaries installed. A
 * listed backend without them fails under CI=true, as an unreachable server does.
 */
export function replicaAvailable(): boolean {
  if (!listedBackends().has('postgres')) return false;
  if (replicaToolsInstalled()) return true;
  const reason = 'postgres is listed in BACKENDS but initdb/pg_ctl/pg_basebackup are not installed';
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true)`);
  console.warn(`SKIP replica tests: ${reason}`);
  return false;
}

/** PostgreSQL refuses to run as root: as root, the servers run as the `postgres` account. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
    throw new Error('running as root, and there is no postgres account to run PostgreSQL as');
  }
  return { uid, gid };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(command: string, args: string[], options: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args[0]} failed (${code}): ${stderr.trim()}`)),
    );
  });
}

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function startReplicaPair(): Promise<ReplicaPair> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) are not installed');
  const user = runAs();
  const dir = await mkdtemp(join(tmpdir(), 'marquee-replica-'));
  if (user) await chown(dir, user.uid, user.gid);
  const as: SpawnOptions = { ...user, cwd: dir };
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  // fsync off: these clusters live for one test; what is tested is replication, not crash safety.
  const serverOptions = (port: number) =>
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const started: string[] = [];
  const stop = async () => {
    for (const data of started.reverse()) {
      await run(`${bin}pg_ctl`, ['stop', '-D', data, '-m', 'immediate', '-w'], as).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
  const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
  try {
    const primary = join(dir, 'primary');
    const replica = join(dir, 'replica');
    // initdb's default pg_hba.conf with --auth=trust lets loopback replication connections in.
    await run(
      `${bin}initdb`,
      ['-D', primary, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
      as,
    );
    await run(
      `${bin}pg_ctl`,
      ['start', '-D', primary, '-l', join(dir, 'primary.log'), '-w', '-o', serverOptions(primaryPort)],
      as,
    );
    started.push(primary);
    await run(
      `${bin}pg_basebackup`,
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(primaryPort),
        '-U',
        'postgres',
        '-D',
        replica,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
        '--no-sync',
      ],
      as,
    );
    await run(
      `${bin}pg_ctl`,
      ['start', '-D', replica, '-l', join(dir, 'replica.log'), '-w', '-o', serverOptions(replicaPort)],
      as,
    );
    started.push(replica);
    const [standby] = await query<{ recovering: boolean }>(
      replicaUrl,
      'select pg_is_in_recovery() as recovering',
    );
    if (standby?.recovering !== true) throw new Error('the replica is not in recovery: it is no standby');
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    primaryUrl,
    replicaUrl,
    async pauseReplay() {
      await query(replicaUrl, 'select pg_wal_replay_pause()');
      for (let i = 0; i < 500; i += 1) {
        const [row] = await query<{ state: string }>(
          replicaUrl,
          'select pg_get_wal_replay_pause_state() as state',
        );
        if (row?.state === 'paused') return;
        await sleep(10);
      }
      throw new Error('replay did not pause within 5 s');
    },
    async resumeReplay() {
      await query(replicaUrl, 'select pg_wal_replay_resume()');
    },
    async caughtUp(timeoutMs = 10_000) {
      const [{ lsn } = { lsn: '0/0' }] = await query<{ lsn: string }>(
        primaryUrl,
        'select pg_current_wal_lsn()::text as lsn',
      );
      const started = Date.now();
      for (;;) {
        const [row] = await query<{ done: boolean }>(
          replicaUrl,
          `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as done`,
        );
        if (row?.done) return;
        if (Date.now() - started > timeoutMs)
          throw new Error(`the replica did not replay ${lsn} within ${timeoutMs} ms`);
        await sleep(10);
      }
    },
    stop,
  };
}
