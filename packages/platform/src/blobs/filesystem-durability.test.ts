import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * What a filesystem put makes durable before it is acknowledged, seen from the kernel's side: the
 * fixture runs under strace, and the test reads the order of fsync, rename and the acknowledgement.
 * (durable-folders.ts has the argument for why exactly these.) strace is in .ci/run's apt line.
 */
const straceWorks = spawnSync('strace', ['-o', '/dev/null', 'true']).status === 0;
if (!straceWorks && process.env.CI === 'true') throw new Error('strace is missing (CI=true needs it)');

interface Call {
  syscall: string;
  /** Paths named in the call: fds shown by strace -y as <path>, and quoted arguments. */
  paths: string[];
  text: string;
}

function parseTrace(trace: string): Call[] {
  const calls: Call[] = [];
  for (const line of trace.split('\n')) {
    const match = /^\d+\s+(\w+)\((.*)$/.exec(line);
    if (!match) continue;
    const [, syscall, rest] = match as unknown as [string, string, string];
    const paths = [...rest.matchAll(/<([^>]+)>|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? '');
    calls.push({ syscall, paths, text: rest });
  }
  return calls;
}

describe.runIf(straceWorks)('filesystem blobs: what is on disk when put resolves', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function tracedPuts(keys: string[]) {
    const dir = await mkdtemp(join(tmpdir(), 'blob-fsync-'));
    dirs.push(dir);
    const root = join(dir, 'blobs');
    const fixture = fileURLToPath(new URL('./fixtures/put-once.ts', import.meta.url));
    const traceFile = join(dir, 'trace');
    const result = spawnSync(
      'strace',
      [
        '-f',
        '-y',
        '-qq',
        '-s',
        '256',
        '-e',
        'trace=fsync,fdatasync,rename,renameat,renameat2,write',
        '-o',
        traceFile,
        process.execPath,
        '--import',
        'tsx',
        fixture,
        root,
        ...keys,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const calls = parseTrace(await readFile(traceFile, 'utf8'));
    const objects = join(root, 'objects');
    const ackOf = (key: string) =>
      calls.findIndex((c) => c.syscall === 'write' && c.text.includes(`acknowledged ${key}`));
    const renameOf = (key: string) =>
      calls.findIndex((c) => c.syscall.startsWith('rename') && c.paths.includes(join(objects, key)));
    const fsyncsOf = (path: string) =>
      calls.flatMap((c, i) => (c.syscall === 'fsync' && c.paths.includes(path) ? [i] : []));
    return { calls, root, objects, ackOf, renameOf, fsyncsOf };
  }

  // Node + tsx under strace on a loaded 2-core box: seconds, not the default 30 s limit's worth.
  it(
    'fsyncs the file before the rename, then its folder and every folder it made, then acknowledges',
    {
      timeout: 120_000,
    },
    async () => {
      const t = await tracedPuts(['assets/a1/720p/seg1.m4s', 'assets/a1/480p/seg1.m4s']);
      const first = {
        rename: t.renameOf('assets/a1/720p/seg1.m4s'),
        ack: t.ackOf('assets/a1/720p/seg1.m4s'),
      };
      expect(first.rename).toBeGreaterThan(-1);
      expect(first.ack).toBeGreaterThan(first.rename);
      // 1. The temp file's bytes reach the disk before the rename can publish them.
      const tempPath = t.calls[first.rename]!.paths[0]!;
      expect(tempPath).toContain(join(t.root, 'tmp'));
      expect(t.fsyncsOf(tempPath).some((i) => i < first.rename)).toBe(true);
      // 2 and 3. After the rename, before the ack: the object's folder and each parent that gained a folder.
      const between = (i: number) => i > first.rename && i < first.ack;
      for (const folder of ['assets/a1/720p', 'assets/a1', 'assets', '']) {
        expect(t.fsyncsOf(join(t.objects, folder)).some(between), `fsync of objects/${folder}`).toBe(true);
      }

      // A second put beside it: its own new folder and the parent that gained it, not the known ones.
      const second = {
        rename: t.renameOf('assets/a1/480p/seg1.m4s'),
        ack: t.ackOf('assets/a1/480p/seg1.m4s'),
      };
      const during = (i: number) => i > second.rename && i < second.ack;
      expect(t.fsyncsOf(join(t.objects, 'assets/a1/480p')).some(during)).toBe(true);
      expect(t.fsyncsOf(join(t.objects, 'assets/a1')).some(during)).toBe(true);
      expect(t.fsyncsOf(join(t.objects, 'assets')).some(during)).toBe(false);
      expect(t.fsyncsOf(t.objects).some(during)).toBe(false);
    },
  );
});
