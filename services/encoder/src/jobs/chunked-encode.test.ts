import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@marquee/core';
import { openCache, readWholeBlob, type CloudEvent, type Leases } from '@marquee/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENCODER_SETTINGS, type EncoderSettings } from '../app/encode-asset.js';
import { mediaTimescale } from '../app/fragments.js';
import type { MediaTools } from '../media/media-tools.js';
import type { RunResult } from '../media/run.js';
import { announceUpload, openJobRig, waitFor, type JobRig } from '../testing/job-fixtures.js';
import { makeSource } from '../testing/media-fixtures.js';
import { decodeWholeMaster, ffprobeJson } from '../testing/output-checks.js';
import { buildEncodeWorker, type EncodeWorker } from './encode-worker.js';

// Issue 16 §1 with real ffmpeg: a 12 s title in 4 s chunks (three chunk jobs and an assembly).
let rig: JobRig;
let source: Buffer;
const seen: CloudEvent[] = [];
const logLines: string[] = [];
const chunked: EncoderSettings = { ...DEFAULT_ENCODER_SETTINGS, chunkSeconds: 4 };

beforeAll(async () => {
  rig = await openJobRig('chunked-encode');
  const path = await makeSource(rig.tools, rig.dir.path, 'source.mp4', {
    width: 640,
    height: 360,
    seconds: 12,
    audio: [{ language: 'eng' }],
    container: 'mp4',
  });
  source = await readFile(path);
  await rig.bus.subscribe({
    group: 'observer',
    types: ['media.encoded', 'media.encoding.failed', 'media.chunk.requested', 'media.encoding.progress'],
    handler: async ({ event }) => void seen.push(event),
  });
}, 120_000);
afterAll(async () => {
  await rig?.close();
});

const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
});

/** Media tools whose chunk-1 runs (`-ss 4 -t 4`) fail the first `times` times. */
function failingChunk(tools: MediaTools, times: number): MediaTools & { failures: () => number } {
  let failures = 0;
  return {
    ...tools,
    failures: () => failures,
    runner: {
      memoryLimit: tools.runner.memoryLimit,
      run(command, args, options): Promise<RunResult> {
        const at = args.indexOf('-ss');
        if (at >= 0 && args[at + 1] === '4' && args.includes('-t') && failures < times) {
          failures += 1;
          const result: RunResult = {
            outcome: 'exited',
            exitCode: 1,
            signal: null,
            stdout: '',
            stderr: 'injected failure',
            elapsedMs: 1,
          };
          return Promise.resolve(result);
        }
        return tools.runner.run(command, args, options);
      },
    },
  };
}

/** Media tools whose assembly trickplay runs (from the joined HLS) wait until `open` is called. */
function gatedTrickplay(tools: MediaTools) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let started = 0;
  const gated: MediaTools = {
    ...tools,
    runner: {
      memoryLimit: tools.runner.memoryLimit,
      async run(command, args, options): Promise<RunResult> {
        if (args.some((a) => a.includes('tile=')) && args.includes('hls')) {
          started += 1;
          await gate;
        }
        return tools.runner.run(command, args, options);
      },
    },
  };
  return { tools: gated, open, started: () => started };
}

function worker(
  name: string,
  tools: MediaTools,
  settings: EncoderSettings,
  maxDeliveries = 3,
  leases?: Leases,
): EncodeWorker {
  return buildEncodeWorker({
    bus: rig.bus,
    blobs: rig.blobs,
    tools,
    logger: logger.child({ worker: name }),
    scratchDir: join(rig.dir.path, `scratch-${name}`),
    settings,
    maxDeliveries,
    ...(leases ? { leases } : {}),
  });
}

/** Every stored blob of the asset's chunked encode (`encodes/<asset>/`). */
async function encodesLeft(assetId: string): Promise<string[]> {
  const left: string[] = [];
  for await (const info of rig.blobs.list(`encodes/${assetId}/`)) left.push(info.key);
  return left;
}

const logsOf = (assetId: string, msg: string) =>
  logLines.filter((l) => l.includes(`"assetId":"${assetId}"`) && l.includes(`"msg":"${msg}"`));

/** Waits for `find`, then stops the workers (also when it times out, so none outlives its test). */
async function until<T>(find: () => T | undefined, workers: EncodeWorker[]): Promise<T> {
  try {
    return await waitFor(find, 240_000);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

const ofAsset = (assetId: string, type: string) =>
  seen.filter((e) => e.type === type && (e.data as { assetId: string }).assetId === assetId);

/** Copies a stored asset to a directory, as an edge would serve it. */
async function fetchAsset(assetId: string, dir: string): Promise<number> {
  let bytes = 0;
  for await (const info of rig.blobs.list(`assets/${assetId}/`)) {
    const path = join(dir, info.key.slice(`assets/${assetId}/`.length));
    await mkdir(join(path, '..'), { recursive: true });
    const body = await readWholeBlob(rig.blobs, info.key);
    if (/\.(m4s|mp4)$/.test(path)) bytes += body.length;
    await writeFile(path, body);
  }
  return bytes;
}

const initName = async (dir: string) => (await readdir(dir)).find((f) => f.startsWith('init'))!;

/** Each video segment's baseMediaDecodeTime (tfdt), in seconds. */
async function segmentStarts(dir: string, files: string[]): Promise<number[]> {
  const timescale = mediaTimescale(await readFile(join(dir, await initName(dir))));
  const starts: number[] = [];
  for (const file of files.filter((f) => f.endsWith('.m4s'))) {
    const seg = await readFile(join(dir, file));
    const at = seg.indexOf('tfdt');
    starts.push(Number(seg.readBigUInt64BE(at + 8)) / timescale);
  }
  return starts;
}

describe('chunked encoding', () => {
  it('two workers share the chunks; the joined asset decodes whole, with continuous timestamps and a one-piece size', async () => {
    const workers = [worker('one', rig.tools, chunked), worker('two', rig.tools, chunked)];
    await Promise.all(workers.map((w) => w.start()));
    const assetId = await announceUpload(rig, source, { titleId: 'tc' });
    await until(() => ofAsset(assetId, 'media.encoded')[0], workers);

    const one = worker('whole', rig.tools, DEFAULT_ENCODER_SETTINGS);
    await one.start();
    const wholeId = await announceUpload(rig, source, { titleId: 'tw' });
    await until(() => ofAsset(wholeId, 'media.encoded')[0], [one]);

    expect(ofAsset(assetId, 'media.chunk.requested')).toHaveLength(3);
    expect(ofAsset(assetId, 'media.encoding.failed')).toHaveLength(0);
    const stages = ofAsset(assetId, 'media.encoding.progress').map(
      (e) => (e.data as { stage: string }).stage,
    );
    expect(stages).toContain('encoding chunks 3/3');
    for (const range of ['chunk 0 (0–4 s)', 'chunk 1 (4–8 s)', 'chunk 2 (8–12 s)'])
      expect(logLines.some((l) => l.includes(`encoding ${range}`))).toBe(true);
    // Both workers took chunks.
    const takers = new Set(
      logLines
        .filter((l) => l.includes('"msg":"encoding chunk'))
        .map((l) => (JSON.parse(l) as { worker: string }).worker),
    );
    expect(takers.size).toBe(2);
    // The chunk outputs are gone once the asset is stored.
    expect(await encodesLeft(assetId)).toEqual([]);

    const chunkedDir = join(rig.dir.path, 'chunked-out');
    const wholeDir = join(rig.dir.path, 'whole-out');
    const chunkedBytes = await fetchAsset(assetId, chunkedDir);
    const wholeBytes = await fetchAsset(wholeId, wholeDir);
    await decodeWholeMaster(rig.tools, chunkedDir);
    // Within a few % of the one-piece encode (each chunk's rate control starts afresh).
    expect(Math.abs(chunkedBytes / wholeBytes - 1)).toBeLessThan(0.05);

    for (const rung of ['video_360p', 'video_240p']) {
      const playlist = await readFile(join(chunkedDir, rung, 'index.m3u8'), 'utf8');
      const wholePlaylist = await readFile(join(wholeDir, rung, 'index.m3u8'), 'utf8');
      // Same segments, durations and numbering as the one-piece encode.
      expect(playlist).toBe(wholePlaylist);
      const files = playlist.split('\n').filter((l) => l.endsWith('.m4s'));
      expect(files).toEqual(['seg_00000.m4s', 'seg_00001.m4s', 'seg_00002.m4s']);
      expect(await segmentStarts(join(chunkedDir, rung), files)).toEqual([0, 4, 8]);
      // The init segment is the one a one-piece encode writes.
      const init = await initName(join(chunkedDir, rung));
      expect(
        (await readFile(join(chunkedDir, rung, init))).equals(await readFile(join(wholeDir, rung, init))),
      ).toBe(true);
      // Decode timestamps step by one frame across the joins.
      const probe = await ffprobeJson(
        rig.tools,
        ['-select_streams', 'v:0', '-show_entries', 'packet=dts_time', '-i', 'index.m3u8'],
        { cwd: join(chunkedDir, rung) },
      );
      const dts = ((probe as { packets?: { dts_time: string }[] }).packets ?? []).map((p) =>
        Number(p.dts_time),
      );
      expect(dts).toHaveLength(300);
      const steps = dts.slice(1).map((t, i) => Math.round((t - dts[i]!) * 1000));
      expect(new Set(steps)).toEqual(new Set([40]));
    }
  }, 300_000);

  it('redoes only the chunk that failed once', async () => {
    const tools = failingChunk(rig.tools, 1);
    const w = worker('retry', tools, chunked);
    await w.start();
    const before = logLines.length;
    const assetId = await announceUpload(rig, source, { titleId: 'tr' });
    await until(() => ofAsset(assetId, 'media.encoded')[0], [w]);
    expect(tools.failures()).toBe(1);
    const encoding = logLines
      .slice(before)
      .filter((l) => l.includes('"msg":"encoding chunk'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(encoding.sort()).toEqual([
      'encoding chunk 0 (0–4 s)',
      'encoding chunk 1 (4–8 s)',
      'encoding chunk 1 (4–8 s)',
      'encoding chunk 2 (8–12 s)',
    ]);
    expect(ofAsset(assetId, 'media.encoding.failed')).toHaveLength(0);
  }, 300_000);

  it('fails the asset with the chunk and the error when a chunk fails every attempt', async () => {
    const tools = failingChunk(rig.tools, 100);
    const w = worker('failing', tools, chunked, 2);
    await w.start();
    const assetId = await announceUpload(rig, source, { titleId: 'tf' });
    const failed = await until(() => ofAsset(assetId, 'media.encoding.failed')[0], [w]);
    expect((failed.data as { reason: string }).reason).toMatch(
      /^Encoding chunk 1 \(4–8 s\) failed 2 times; the last error: .*injected failure/,
    );
    expect(ofAsset(assetId, 'media.encoded')).toHaveLength(0);
    expect(await rig.blobs.head(`assets/${assetId}/master.m3u8`)).toBeFalsy();
    // Nothing of it is left: no chunk outputs, plan or title outputs in the blob store (local files
    // here, so none on disk either), and no job directory in the worker's scratch.
    expect(await encodesLeft(assetId)).toEqual([]);
    const onDisk = await readdir(join(rig.dir.path, 'blobs'), { recursive: true, withFileTypes: true });
    const paths = onDisk.filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name));
    expect(paths.filter((p) => p.includes(`encodes/${assetId}`))).toEqual([]);
    expect(await readdir(join(rig.dir.path, 'scratch-failing'))).toEqual([]);
  }, 300_000);

  it('assembles once when two assembly requests are delivered at once, and a later one does nothing', async () => {
    // Two replicas sharing one cache's leases, as encoder processes share Redis.
    const { leases } = await openCache();
    const gated = gatedTrickplay(rig.tools);
    const workers = [
      worker('lease-one', gated.tools, chunked, 3, leases),
      worker('lease-two', gated.tools, chunked, 3, leases),
    ];
    await Promise.all(workers.map((w) => w.start()));
    try {
      const assetId = await announceUpload(rig, source, { titleId: 'tl' });
      // The first assembly is under way (held at its trickplay run); a second request comes in.
      await waitFor(() => (gated.started() > 0 ? true : undefined), 240_000);
      const request = { assetId, titleId: 'tl', count: 3 };
      await rig.bus.publish({
        type: 'media.assembly.requested',
        source: 'test',
        subject: assetId,
        data: request,
      });
      await waitFor(() => logsOf(assetId, 'another delivery is assembling the asset; waiting for it')[0]);
      gated.open();
      await waitFor(
        () => logsOf(assetId, 'asset assembled and announced already; nothing to do')[0],
        120_000,
      );
      expect(ofAsset(assetId, 'media.encoded')).toHaveLength(1);
      expect(logsOf(assetId, 'chunks assembled; encoded')).toHaveLength(1);
      expect(gated.started()).toBe(1);

      // Redelivered long after: acknowledged, nothing assembled or announced.
      await rig.bus.publish({
        type: 'media.assembly.requested',
        source: 'test',
        subject: assetId,
        data: request,
      });
      await waitFor(() =>
        logsOf(assetId, 'asset assembled and announced already; nothing to do').length >= 2
          ? true
          : undefined,
      );
      await waitFor(async () => ((await rig.bus.lag('encoder')) === 0 ? true : undefined));
      expect(ofAsset(assetId, 'media.encoded')).toHaveLength(1);
      expect(gated.started()).toBe(1);
      const dead = await rig.bus.deadLetters('encoder');
      expect(dead.filter((d) => (d.event.data as { assetId: string }).assetId === assetId)).toEqual([]);
      expect(await encodesLeft(assetId)).toEqual([]);
    } finally {
      gated.open();
      await Promise.all(workers.map((w) => w.stop()));
    }
  }, 300_000);
});
