import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, type types } from 'hls-parser';
import { ServiceClient } from '@marquee/core';
import {
  readWholeBlob,
  type BlobStore,
  type CloudEvent,
  type EventBus,
  type EventData,
} from '@marquee/platform';
import { uniqueName } from '@marquee/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaTools } from '../media/media-tools.js';
import { announceUpload, blobText, openJobRig, waitFor, type JobRig } from '../testing/job-fixtures.js';
import { ffmpeg, makeSource } from '../testing/media-fixtures.js';
import { startSubtitleAdder } from './add-subtitle.js';
import { buildEncodeWorker, type EncodeWorker } from './encode-worker.js';

let rig: JobRig;
let tools: MediaTools;
let dir: JobRig['dir'];
let bus: EventBus;
let blobs: BlobStore;
let worker: EncodeWorker;
let streaming: Server;
let client: ServiceClient;
const ready = new Map<string, string>();
/** Titles the stand-in says have a newer video still encoding. */
const encodingTitles = new Set<string>();
const encoded: CloudEvent[] = [];
/** An encode plus the adder's new asset on a loaded machine. */
const ENCODED_WITHIN_MS = 90_000;

beforeAll(async () => {
  rig = await openJobRig('add-subtitle');
  ({ tools, dir, bus, blobs } = rig);
  const { logger } = rig;
  // Streaming's internal title answer, as the real one gives it: which asset the title plays now.
  streaming = createServer((req, res) => {
    const titleId = decodeURIComponent(/^\/internal\/titles\/([^/?]+)$/.exec(req.url ?? '')?.[1] ?? '');
    res.setHeader('content-type', 'application/json');
    if (!titleId || titleId === 'gone') {
      res.statusCode = 404;
      return res.end('{}');
    }
    res.end(
      JSON.stringify({
        titleId,
        readyAssetId: ready.get(titleId) ?? null,
        encoding: encodingTitles.has(titleId),
      }),
    );
  });
  await new Promise<void>((resolve) => streaming.listen(0, '127.0.0.1', resolve));
  const { port } = streaming.address() as AddressInfo;
  client = new ServiceClient({ service: 'streaming', baseUrls: [`http://127.0.0.1:${port}`] });
  await bus.subscribe({
    group: 'observer',
    types: ['media.encoded'],
    handler: async ({ event }) => void encoded.push(event),
  });
  worker = buildEncodeWorker({ bus, blobs, tools, logger, scratchDir: join(dir.path, 'scratch') });
  await worker.start();
  await startSubtitleAdder({ bus, blobs, streaming: client, logger, pollMs: 100 });
});
afterAll(async () => {
  await worker?.stop();
  await client?.close();
  await new Promise((resolve) => streaming?.close(resolve));
  await rig?.close();
});

const encodedFor = (titleId: string) =>
  encoded
    .filter((e) => (e.data as { titleId: string }).titleId === titleId)
    .map((e) => e.data as EventData<'media.encoded'> & { subtitles: { name: string }[] });

async function keysUnder(prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const info of blobs.list(prefix)) out.set(info.key.slice(prefix.length), info.sha256);
  return out;
}

const text = (key: string) => blobText(blobs, key);

/** A sidecar stored and announced as the storage service does. */
async function uploadSidecar(titleId: string, filename: string, body: string, language: string) {
  const key = `sidecars/${titleId}/${language}-${uniqueName('u').replace(/-/g, '')}.${filename.split('.').pop()}`;
  await blobs.put(key, body);
  await bus.publish({
    type: 'media.subtitle.uploaded',
    source: 'storage',
    subject: titleId,
    data: { titleId, key, filename, language },
  });
  return key;
}

describe('a subtitle added to a ready title (issue 22 item 12)', () => {
  it('becomes a new asset with the same video bytes, one more subtitle rendition, and a master naming it', async () => {
    const titleId = 't-later';
    const sourcePath = await makeSource(tools, dir.path, 'source.mp4', {
      width: 426,
      height: 240,
      seconds: 4,
      audio: [{ language: 'eng' }],
      container: 'mp4',
    });
    const baseId = await announceUpload(rig, await readFile(sourcePath), { titleId });
    const base = await waitFor(() => encodedFor(titleId)[0], ENCODED_WITHIN_MS);
    expect(base.assetId).toBe(baseId);
    ready.set(titleId, baseId);
    const baseObjects = await keysUnder(`assets/${baseId}/`);

    await uploadSidecar(titleId, 'film.es.srt', '1\n00:00:01,000 --> 00:00:02,500\nHola, mundo\n', 'es');
    const added = await waitFor(
      () => encodedFor(titleId).find((e) => e.assetId !== baseId),
      ENCODED_WITHIN_MS,
    );
    const newId = added.assetId;
    expect(added.subtitles).toEqual([{ name: 'Spanish', language: 'es' }]);
    expect(added.renditions).toEqual(base.renditions);

    // Every video, audio, poster and trickplay object is the base's, byte for byte (no re-encode).
    const objects = await keysUnder(`assets/${newId}/`);
    for (const [path, sha] of baseObjects) {
      if (path === 'master.m3u8' || path === 'asset.json') continue;
      expect(objects.get(path), path).toBe(sha);
    }
    const master = parse(await text(`assets/${newId}/master.m3u8`)) as types.MasterPlaylist;
    const subs = master.variants[0]!.subtitles;
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ name: 'Spanish', language: 'es' });
    expect(master.variants.every((v) => v.subtitles.length === 1)).toBe(true);
    const playlistPath = subs[0]!.uri!;
    const vtt = await text(`assets/${newId}/${playlistPath.replace('index.m3u8', 'index.vtt')}`);
    expect(vtt).toContain('Hola, mundo');
    expect(vtt).toContain('00:00:01.000 --> 00:00:02.500');
    // The rendition index edges read from asset.json knows the new playlist and its file.
    const summary = JSON.parse(await text(`assets/${newId}/asset.json`)) as {
      assetId: string;
      playlists: { path: string; height: number; files: string[] }[];
    };
    expect(summary.assetId).toBe(newId);
    expect(summary.playlists).toContainEqual({
      path: playlistPath,
      height: 0,
      files: [playlistPath.replace('index.m3u8', 'index.vtt')],
    });
    // The base asset is untouched: edges that cached it keep serving the same bytes.
    expect(parse(await text(`assets/${baseId}/master.m3u8`))).toMatchObject({
      variants: [{ subtitles: [] }],
    });

    // ffmpeg reads the new asset (video, audio and the subtitle rendition) from its master.
    const copy = join(dir.path, 'copy');
    for (const path of objects.keys()) {
      await mkdir(dirname(join(copy, path)), { recursive: true });
      await writeFile(join(copy, path), await readWholeBlob(blobs, `assets/${newId}/${path}`));
    }
    const out = join(dir.path, 'subs-out.vtt');
    await ffmpeg(tools, [
      '-y',
      '-i',
      join(copy, 'master.m3u8'),
      '-map',
      '0:v:0',
      '-map',
      '0:a:0',
      '-f',
      'null',
      '-',
    ]);
    await ffmpeg(tools, ['-y', '-i', join(copy, playlistPath), out]);
    expect(await readFile(out, 'utf8')).toContain('Hola, mundo');

    // A second sidecar builds on the newest asset; a redelivery makes the same asset again.
    ready.set(titleId, newId);
    await uploadSidecar(titleId, 'film.vtt', 'WEBVTT\n\n00:00.500 --> 00:01.500\nSecond\n', 'es');
    const third = await waitFor(
      () => encodedFor(titleId).find((e) => e.assetId !== baseId && e.assetId !== newId),
      ENCODED_WITHIN_MS,
    );
    expect(third.subtitles.map((s) => s.name)).toEqual(['Spanish', 'Spanish (2)']);
  }, 180_000);

  it('waits while a newer video encodes, and adds nothing the encode already read', async () => {
    const titleId = 't-racing';
    const sidecar = '1\n00:00:01,000 --> 00:00:02,000\nYa estaba\n';
    // The sidecar is stored before the source: the encode reads it; its event arrives mid-encode.
    const key = `sidecars/${titleId}/es-${uniqueName('u').replace(/-/g, '')}.srt`;
    await blobs.put(key, sidecar);
    encodingTitles.add(titleId);
    await bus.publish({
      type: 'media.subtitle.uploaded',
      source: 'storage',
      subject: titleId,
      data: { titleId, key, filename: 'film.es.srt', language: 'es' },
    });
    const sourcePath = await makeSource(tools, dir.path, 'racing.mp4', {
      width: 426,
      height: 240,
      seconds: 3,
      audio: [{ language: 'eng' }],
      container: 'mp4',
    });
    const assetId = await announceUpload(rig, await readFile(sourcePath), { titleId });
    const encodedOnce = await waitFor(() => encodedFor(titleId)[0], ENCODED_WITHIN_MS);
    expect(encodedOnce.subtitles).toEqual([{ name: 'Spanish', language: 'es' }]);
    // Streaming now plays it; the adder, which waited, finds the subtitle there already.
    ready.set(titleId, assetId);
    encodingTitles.delete(titleId);
    await waitFor(async () => ((await bus.lag('encoder-subtitles')) === 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    expect(encodedFor(titleId)).toHaveLength(1);

    // A different file sent while the title is encoding again is added once that encode is ready.
    encodingTitles.add(titleId);
    await uploadSidecar(titleId, 'film.fr.srt', '1\n00:00:01,000 --> 00:00:02,000\nBonjour\n', 'fr');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(encodedFor(titleId)).toHaveLength(1);
    encodingTitles.delete(titleId);
    const added = await waitFor(() => encodedFor(titleId)[1], ENCODED_WITHIN_MS);
    expect(added.subtitles).toEqual([
      { name: 'Spanish', language: 'es' },
      { name: 'French', language: 'fr' },
    ]);
  }, 180_000);

  it('leaves a title that is not encoded yet, or is gone, to its encode', async () => {
    const before = encoded.length;
    await uploadSidecar('t-not-yet', 'a.en.srt', '1\n00:00:01,000 --> 00:00:02,000\nHi\n', 'en');
    await uploadSidecar('gone', 'a.en.srt', '1\n00:00:01,000 --> 00:00:02,000\nHi\n', 'en');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(encoded.length).toBe(before);
    expect(await bus.lag('encoder-subtitles')).toBe(0);
  });

  it('drops a sidecar that is not a subtitle file, keeping the title as it was', async () => {
    ready.set('t-bad', 'no-such-asset-needed');
    const before = encoded.length;
    await uploadSidecar('t-bad', 'junk.srt', 'this is not a subtitle file', 'en');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(encoded.length).toBe(before);
  });
});
