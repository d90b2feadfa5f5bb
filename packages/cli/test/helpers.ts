import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const MARQUEE_BIN = resolve(import.meta.dirname, '../bin/marquee.mjs');

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'marquee-data-'));
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs the real `marquee` command in its own process group, so a test can prove no child outlives it. */
export function runMarquee(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [MARQUEE_BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      // scripts/test.mjs finds (and kills) whatever a run leaves behind by this mark
      ...(process.env.MARQUEE_TEST_RUN ? { MARQUEE_TEST_RUN: process.env.MARQUEE_TEST_RUN } : {}),
      // A SIGTERM still drains (readiness 503, Connection: close), but for 1 s instead of 6: the tests
      // stop whole clusters, and a drain test sets its own.
      SHUTDOWN_DRAIN_MS: '1000',
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, output: () => out, exited };
}

export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Signs a viewer up through the gateway (standard plan) and returns their access token. */
export async function signUpViewer(gateway: string): Promise<string> {
  const signup = await fetch(`${gateway}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'viewer@marquee.test', password: 'viewer passphrase 1', plan: 'standard' }),
  });
  expect(signup.status, await signup.clone().text()).toBe(201);
  return ((await signup.json()) as { accessToken: string }).accessToken;
}
