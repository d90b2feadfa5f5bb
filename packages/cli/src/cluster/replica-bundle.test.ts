import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleReplicaEntry, replicaBundlePath } from './replica-bundle.js';

const run = promisify(execFile);
const dirs: string[] = [];
const files: string[] = [];
afterAll(async () => {
  for (const d of [...dirs, ...files]) await rm(d, { recursive: true, force: true });
});

describe('the replicas bundle', () => {
  it('keeps each source file its own import.meta and leaves npm packages as imports', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'replica-bundle-'));
    dirs.push(dir);
    await writeFile(
      join(dir, 'where.ts'),
      'export const where: string = import.meta.url;\nexport const folder: string = import.meta.dirname;\n',
    );
    await writeFile(
      join(dir, 'entry.ts'),
      [
        "import { where, folder } from './where.js';",
        "import { Pool } from 'undici';", // an npm package: imported at run time, not inlined
        'console.log(JSON.stringify({ where, folder, entry: import.meta.url, pool: typeof Pool }));',
      ].join('\n'),
    );
    const out = await bundleReplicaEntry(replicaBundlePath(`test-${Date.now()}`), join(dir, 'entry.ts'));
    files.push(out, `${out}.map`);
    const { stdout } = await run(process.execPath, [out]);
    expect(JSON.parse(stdout)).toEqual({
      where: pathToFileURL(join(dir, 'where.ts')).href,
      folder: dir,
      entry: pathToFileURL(join(dir, 'entry.ts')).href,
      pool: 'function',
    });
  });

  it('bundles the CLI, which then runs as `marquee` does', async () => {
    const out = await bundleReplicaEntry(replicaBundlePath(`test-cli-${Date.now()}`));
    files.push(out, `${out}.map`);
    const { stdout } = await run(process.execPath, [out, 'help'], { timeout: 120_000 });
    expect(stdout).toContain('marquee start');
    expect(stdout).toContain('marquee chaos');
  }, 150_000);
});
