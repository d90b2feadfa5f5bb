import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import pg from 'pg';
import { loadSettings, SERVICE_NAMES } from '@marquee/core';
import { testUrls, uniqueName } from '@marquee/platform/testing';
import { freePort } from '../../src/ports.js';
import { startPlatform, type RunningPlatform } from '../../src/platform.js';
import { runMarquee, tempDataDir, waitFor } from '../helpers.js';

const run = promisify(execFile);

export const ADMIN = { email: 'admin@marquee.test', password: 'admin passphrase 12' };

/** A 3-second 240p H.264/AAC clip made with the system ffmpeg, cached across runs. */
export async function tinyClip(): Promise<string> {
  const dir = join(tmpdir(), 'marquee-backup-test-clips');
  const file = join(dir, 'testsrc2-240p-3s.mp4');
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial.mp4`;
  await run('ffmpeg', [
    ...['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=24'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000', '-t', '3'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', partial],
  ]);
  renameSync(partial, file);
  return file;
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** One install's place on disk and (for PostgreSQL) its database, removed by dispose(). */
export interface Install {
  env: Record<string, string>;
  dataDir: string;
  dispose(): Promise<void>;
}

/**
 * A fresh install: a data directory and, with `postgres`, a database of its own on the machine's
 * server. The backup target is shared by the installs of one test, so one restores what another saved.
 */
export async function freshInstall(backend: 'embedded' | 'postgres', targetDir: string): Promise<Install> {
  const dataDir = tempDataDir();
  const env: Record<string, string> = {
    MARQUEE_DATA_DIR: dataDir,
    BACKUP_TARGET: targetDir,
    BACKUP_INTERVAL: 'off',
    MARQUEE_DEMO: 'false',
    MARQUEE_ADMIN_EMAIL: ADMIN.email,
    MARQUEE_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
  };
  let dropDatabase = async () => {};
  if (backend === 'postgres') {
    const database = uniqueName('backup').toLowerCase();
    const admin = new pg.Client({ connectionString: testUrls.postgres });
    await admin.connect();
    await admin.query(`create database "${database}"`);
    await admin.end();
    const url = new URL(testUrls.postgres);
    url.pathname = `/${database}`;
    env.DATABASE_URL = url.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: testUrls.postgres });
      await client.connect();
      await client.query(`drop database if exists "${database}" with (force)`).finally(() => client.end());
    };
  }
  return {
    env,
    dataDir,
    async dispose() {
      await dropDatabase();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Running {
  platform: RunningPlatform;
  gateway: string;
  close(): Promise<void>;
}

/** The whole platform in this process (monolithic mode), ready. */
export async function startInProcess(install: Install): Promise<Running> {
  const port = await freePort('127.0.0.1');
  const settings = loadSettings({ ...install.env, MARQUEE_PORT: String(port) });
  const platform = await startPlatform(settings, pino({ level: 'warn' }), [...SERVICE_NAMES]);
  const gateway = `http://127.0.0.1:${port}`;
  // 90 s as the web tests' platform allows: on a machine shared with other suites (load 40+), seven
  // services' start-up and migrations took longer than 30 s.
  await waitFor(
    async () => ((await fetch(`${gateway}/readyz`)).status === 200 ? true : undefined),
    90_000,
    'readyz',
  );
  return { platform, gateway, close: () => platform.close() };
}

/** Runs a `marquee` command to its end; resolves with its exit code and everything it printed. */
export async function marquee(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const m = runMarquee(args, env);
  const code = await m.exited;
  return { code, out: m.output() };
}

/** The last line of the output that is a JSON object (`--json` prints one). */
export function lastJson<T>(out: string): T {
  const line = out
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON in the output:\n${out}`);
  return JSON.parse(line) as T;
}

export const randomEmail = (who: string) => `${who}-${randomBytes(4).toString('hex')}@marquee.test`;
