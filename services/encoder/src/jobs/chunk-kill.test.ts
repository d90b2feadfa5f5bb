import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readWholeBlob, type CloudEvent } from '@marquee/platform';
import { backendAvailable, testUrls } from '@marquee/platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { announceUpload, openJobRig, waitFor, type JobRig } from '../testing/job-fixtures.js';
import { makeSource } from '../testing/media-fixtures.js';
import { decodeWholeMaster } from '../testing/output-checks.js';

// Issue 16 §1's acceptance with processes: two encoder processes (bench/encode/chunk-worker.ts, the
// real worker) share a 12 s title in 4 s chunks; the first to start a chunk is SIGKILLed mid-chunk.
// The survivor redoes that chunk alone once its lease (3 s here) lapses, and the asset is stored.
const repo = resolve(import.meta.dirname, '../../../..');
let rig: JobRig;
const seen: CloudEvent[] = [];
const workers: { child: ChildProcess; name: string; lines: string[] }[] = [];
// The workers share Redis's leases, as replicas share the platform cache (one assembly at a time).
let cacheEnv: Record<string, string> = {};

beforeAll(async () => {
  if (await backendAvailable('redis')) cacheEnv = { CACHE_URL: testUrls.redis };
  rig = await openJobRig('chunk-kill');
  await rig.bus.subscribe({
    group: 'observer',
    types: ['media.encoded', 'media.encoding.failed'],
    handler: async ({ event }) => void seen.push(event),
  });
});
afterAll(async () => {
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) killWithFfmpeg(w.child);
  await rig?.close();
});

function startWorker(name: string) {
  const child = spawn(
    process.execPath,
    [
      join(repo, 'packages/cli/bin/run-ts.mjs'),
      join(repo, 'bench/encode/chunk-worker.ts'),
      join(rig.dir.path, 'events.sqlite'),
      join(rig.dir.path, 'blobs'),
      join(rig.dir.path, `scratch-${name}`),
      '4',
    ],
    {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...cacheEnv, ENCODER_ACK_TIMEOUT_MS: '3000' },
    },
  );
  const worker = { child, name, lines: [] as string[] };
  let rest = '';
  child.stdout.on('data', (b: Buffer) => {
    const parts = (rest + b.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) if (line.startsWith('{')) worker.lines.push(line);
  });
  workers.push(worker);
  return worker;
}

/** SIGKILLs a worker and the ffmpeg it runs (each ffmpeg has its own process group: media/run.ts). */
function killWithFfmpeg(child: ChildProcess) {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === child.pid) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  child.kill('SIGKILL');
}

const messages = (w: { lines: string[] }, prefix: string) =>
  w.lines.map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => m.startsWith(prefix));

it('a worker killed mid-chunk: the other redoes only that chunk and the asset is stored', async () => {
  const path = await makeSource(rig.tools, rig.dir.path, 'source.mp4', {
    width: 640,
    height: 360,
    seconds: 12,
    audio: [{ language: 'eng' }],
    container: 'mp4',
  });
  const one = startWorker('one');
  const two = startWorker('two');
  await waitFor(() => (one.lines.length > 0 && two.lines.length > 0 ? true : undefined), 60_000);
  const assetId = await announceUpload(rig, await readFile(path), { titleId: 'tk' });

  const victim = await waitFor(() => workers.find((w) => messages(w, 'encoding chunk').length > 0), 120_000);
  const survivor = victim === one ? two : one;
  const killed = messages(victim, 'encoding chunk')[0]!.slice('encoding '.length);
  killWithFfmpeg(victim.child);

  await waitFor(() => seen.find((e) => (e.data as { assetId: string }).assetId === assetId), 120_000);
  const outcome = seen.find((e) => (e.data as { assetId: string }).assetId === assetId)!;
  expect(outcome.type).toBe('media.encoded');
  // The killed chunk was redone by the survivor; every chunk was stored exactly once.
  expect(messages(survivor, 'encoding chunk')).toContain(`encoding ${killed}`);
  const stored = [...messages(victim, 'encoded chunk'), ...messages(survivor, 'encoded chunk')].sort();
  expect(stored).toEqual(['encoded chunk 0 (0–4 s)', 'encoded chunk 1 (4–8 s)', 'encoded chunk 2 (8–12 s)']);

  const out = join(rig.dir.path, 'out');
  for await (const info of rig.blobs.list(`assets/${assetId}/`)) {
    const file = join(out, info.key.slice(`assets/${assetId}/`.length));
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, await readWholeBlob(rig.blobs, info.key));
  }
  await decodeWholeMaster(rig.tools, out);
  survivor.child.kill('SIGTERM');
}, 300_000);
