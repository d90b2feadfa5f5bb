import { Socket } from 'node:net';
import { memcachedInstalled } from './memcached.js';

/**
 * Which adapters a contract suite runs against. BACKENDS lists them (default: all of
 * embedded,postgres,redis,nats,s3,memcached). `embedded` and `s3` (s3rver started by the test) are
 * always available, and `memcached` whenever the memcached binary is installed (the test starts its
 * own; TEST_MEMCACHED_URL names a running one instead); a real server that is listed but unreachable
 * is skipped with a printed reason on a local run, and FAILS the suite when CI=true — a real server's
 * suite never passes silently without it.
 */
export type Backend = 'embedded' | 'postgres' | 'redis' | 'nats' | 's3' | 'memcached';

export const testUrls = {
  postgres: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  nats: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  /** Unset: tests start a private memcached (testing/memcached.ts). */
  memcached: process.env.TEST_MEMCACHED_URL,
} as const;

export function listedBackends(): Set<Backend> {
  const raw = process.env.BACKENDS ?? 'embedded,postgres,redis,nats,s3,memcached';
  return new Set(
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean) as Backend[],
  );
}

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  const port =
    Number(u.port) ||
    { 'postgres:': 5432, 'redis:': 6379, 'nats:': 4222, 'memcached:': 11211 }[u.protocol] ||
    80;
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, u.hostname, () => done(true));
  });
}

const reported = new Set<string>();

/** Resolves true when the suite for `backend` should run; see the module comment for the rules. */
export async function backendAvailable(backend: Backend): Promise<boolean> {
  if (!listedBackends().has(backend)) return false;
  if (backend === 'embedded' || backend === 's3') return true;
  const url = testUrls[backend];
  if (url === undefined ? memcachedInstalled() : await reachable(url)) return true;
  const reason =
    url === undefined
      ? `${backend} is listed in BACKENDS but its binary is not installed (apt-get install -y ${backend})`
      : `${backend} is listed in BACKENDS but ${url} is unreachable`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: a listed real server must be running)`);
  if (!reported.has(backend)) {
    reported.add(backend);
    console.warn(`SKIP ${backend} contract tests: ${reason}`);
  }
  return false;
}

/** A short unique name for per-test isolation (schemas, key prefixes, stream names). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
