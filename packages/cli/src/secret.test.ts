import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecret } from './secret.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-secret-'));
  dirs.push(dir);
  return dir;
};

describe('loadOrCreateSecret', () => {
  it('prefers the configured secret and writes nothing', async () => {
    const dir = await tempDir();
    expect(await loadOrCreateSecret('x'.repeat(32), dir)).toBe('x'.repeat(32));
    expect(await readdir(dir)).toEqual([]);
  });

  it('generates once, private to the owner, and returns the same secret after a restart', async () => {
    const dir = await tempDir();
    const first = await loadOrCreateSecret(undefined, dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect((await stat(join(dir, 'secret'))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSecret(undefined, dir)).toBe(first);
  });

  it('gives every one of many simultaneous starters the same secret and leaves no temp files', async () => {
    const dir = await tempDir();
    const secrets = await Promise.all(Array.from({ length: 20 }, () => loadOrCreateSecret(undefined, dir)));
    expect(new Set(secrets).size).toBe(1);
    expect(await readdir(dir)).toEqual(['secret']);
  });
});
