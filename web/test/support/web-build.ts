import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WEB = resolve(import.meta.dirname, '../..');
const LOCK = join(WEB, '.build-lock');

function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function builtAt(): number {
  try {
    return statSync(join(WEB, 'dist/index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * The gateway serves web/dist, so browser tests must see a build of the current sources: CI never ran
 * `npm start`, and a developer may have edited web/src since. Builds at most once across parallel test
 * files (a directory lock; a lock older than two minutes is a crashed build's and is taken over).
 */
export async function ensureWebBuilt(): Promise<void> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmdirSync(LOCK);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const sources = Math.max(
      newest(join(WEB, 'src')),
      newest(join(WEB, 'index.html')),
      newest(join(WEB, 'vite.config.ts')),
    );
    // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    const env = { ...process.env, NODE_ENV: 'production' };
    if (sources > builtAt()) await run('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: WEB, env });
  } finally {
    rmdirSync(LOCK);
  }
}
