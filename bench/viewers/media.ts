/**
 * The title every layout plays: a 720p source encoded once by the platform's own pipeline (upload,
 * encoder, 4 s CMAF HLS ladder), and the same encoded files exported as plain files for nginx.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { openMediaTools } from '@marquee/encoder';
import { openBlobStore, readWholeBlob } from '@marquee/platform';
import { ingest, login } from '../../packages/cli/src/ingest.js';
import { cpuSecondsOf } from '../../packages/cli/src/load/process-cpu.js';
import { ADMIN } from './platform.js';

const run = promisify(execFile);

/** CPU seconds of a process's waited-for children (ffmpeg runs as a child of the encoder). */
function childCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

export interface EncodedTitle {
  titleId: string;
  assetId: string;
  seconds: number;
  /** CPU seconds the platform (its process and its ffmpeg children) spent encoding the title. */
  encodeCpuSeconds: number;
  renditions: string;
}

/** Makes the source (testsrc2 with grain: a mid bit rate, quick to make), ingests it, waits for the ladder. */
export async function encodeTitle(
  dir: string,
  gateway: string,
  platformPid: number,
  seconds: number,
): Promise<EncodedTitle> {
  const tools = await openMediaTools({ searchPath: process.env.PATH ?? '' });
  const source = join(dir, 'source-720p.mp4');
  await run(tools.binaries.ffmpeg, [
    ...[
      '-y',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=24,noise=alls=4:allf=t',
    ],
    ...['-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000', '-t', String(seconds)],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '20',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
    ],
    source,
  ]);
  const token = await login(gateway, ADMIN.email, ADMIN.password);
  const before = (cpuSecondsOf(platformPid) ?? 0) + childCpuSeconds(platformPid);
  const result = await ingest({ file: source, title: 'Harbor Lights', gateway, token });
  if (result.state !== 'ready') throw new Error(`encoding failed: ${result.reason}`);
  const encodeCpuSeconds = (cpuSecondsOf(platformPid) ?? 0) + childCpuSeconds(platformPid) - before;
  const detail = await fetch(`${gateway}/api/admin/titles/${result.titleId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const asset = ((await detail.json()) as { asset: { assetId: string; renditions: { height: number }[] } })
    .asset;
  return {
    titleId: result.titleId,
    assetId: asset.assetId,
    seconds,
    encodeCpuSeconds,
    renditions: asset.renditions.map((r) => `${r.height}p`).join(', '),
  };
}

/** Writes the asset's objects as plain files under `root` (assets/<id>/…), for nginx to serve. */
export async function exportAsset(dataDir: string, assetId: string, root: string): Promise<string> {
  const store = await openBlobStore({ root: join(dataDir, 'blobs') });
  try {
    for await (const info of store.list(`assets/${assetId}/`)) {
      const file = join(root, info.key);
      await mkdir(dirname(file), { recursive: true, mode: 0o755 });
      await writeFile(file, await readWholeBlob(store, info.key), { mode: 0o644 });
    }
  } finally {
    await store.close();
  }
  await readFile(join(root, 'assets', assetId, 'master.m3u8'));
  return `/assets/${assetId}/master.m3u8`;
}
