import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'hls-parser';
import {
  type BlobStore,
  type CloudEvent,
  type EventBus,
  type EventData,
  type SubscribeOptions,
} from '@marquee/platform';
import { uniqueName } from '@marquee/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENCODER_SETTINGS, type EncoderSettings } from '../app/encode-asset.js';
import type { MediaTools } from '../media/media-tools.js';
import { announceUpload, blobText, openJobRig, waitFor, type JobRig } from '../testing/job-fixtures.js';
import { makeSource } from '../testing/media-fixtures.js';
import { buildEncodeWorker, type EncodeWorker } from './encode-worker.js';

let rig: JobRig;
let tools: MediaTools;
let dir: JobRig['dir'];
let bus: EventBus;
let blobs: BlobStore;
let source: Buffer;
const seen: (CloudEvent & { at: number })[] = [];

beforeAll(async () => {
  rig = await openJobRig('encode-worker');
  ({ tools, dir, bus, blobs } = rig);
  const path = await makeSource(tools, dir.path, 'source.mp4', {
    width: 426,
    height: 240,
    seconds: 5,
    audio: [{ language: 'eng' }],
    container: 'mp4',
  });
  source = await readFile(path);
  await bus.subscribe({
    group: 'observer',
    types: ['media.encoding.progress', 'media.encoded', 'media.encoding.failed'],
    handler: async ({ event }) => void seen.push({ ...event, at: Date.now() }),
  });
});
afterAll(async () => {
  await rig?.close();
});

function worker(
  overrides: {
    maxDeliveries?: number;
    ackTimeoutMs?: number;
    settings?: EncoderSettings;
    bus?: EventBus;
  } = {},
): EncodeWorker {
  return buildEncodeWorker({
    bus,
    blobs,
    tools,
    logger: rig.logger,
    scratchDir: join(dir.path, 'scratch'),
    ...overrides,
  });
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const upload = (bytes: Buffer | string, options: { sha?: string; titleId?: string } = {}) =>
  announceUpload(rig, bytes, { ...options, titleId: options.titleId ?? 't1' });

const eventsOf = (assetId: string, type: string) =>
  seen.filter((e) => e.type === type && (e.data as { assetId: string }).assetId === assetId);

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of blobs.list(prefix)) keys.push(info.key);
  return keys;
}

const text = (key: string) => blobText(blobs, key);

describe('encode worker', () => {
  it('encodes an upload into assets/<assetId>/, with the title’s sidecar, and announces it', async () => {
    await blobs.put(
      'sidecars/t-side/de-0123456789abcdef0123456789abcdef.srt',
      '1\n00:00:01,000 --> 00:00:02,000\nHallo\n',
    );
    const w = worker();
    await w.start();
    try {
      expect(w.readiness()).toBe(true);
      const assetId = await upload(source, { titleId: 't-side' });
      const encoded = await waitFor(() => eventsOf(assetId, 'media.encoded')[0]);
      const data = encoded.data as EventData<'media.encoded'> & { masterKey: string };
      expect(data.renditions).toEqual([
        expect.objectContaining({ width: 426, height: 240, codecs: 'avc1.64001e,mp4a.40.2' }),
      ]);
      expect(data.durationSeconds).toBeCloseTo(5, 0);
      expect(data.posterKey).toBe(`assets/${assetId}/poster.jpg`);

      // Every URI of the master and of its media playlists is stored.
      const master = parse(await text(data.masterKey));
      if (!master.isMasterPlaylist) throw new Error('not a master playlist');
      const variant = master.variants[0]!;
      expect(variant.subtitles.map((s) => s.language)).toEqual(['de']);
      const keys = new Set(await keysUnder(`assets/${assetId}/`));
      for (const uri of [
        variant.uri,
        ...variant.audio.map((a) => a.uri!),
        ...variant.subtitles.map((s) => s.uri!),
      ]) {
        const key = `assets/${assetId}/${uri}`;
        expect(keys).toContain(key);
        const media = parse(await text(key));
        if (media.isMasterPlaylist) throw new Error('not a media playlist');
        const base = key.slice(0, key.lastIndexOf('/') + 1);
        for (const segment of media.segments) expect(keys).toContain(`${base}${segment.uri}`);
      }
      // asset.json lists every playlist with its height and files (edges index renditions by it).
      const stored = JSON.parse(await text(`assets/${assetId}/asset.json`)) as {
        playlists: { path: string; height: number; files: string[] }[];
      };
      expect(stored.playlists.map((p) => [p.path, p.height])).toEqual([
        [variant.audio[0]!.uri, 0],
        [variant.subtitles[0]!.uri, 0],
        [variant.uri, 240],
      ]);
      for (const p of stored.playlists) {
        expect(p.files.length).toBeGreaterThan(0);
        for (const file of [p.path, ...p.files]) expect(keys).toContain(`assets/${assetId}/${file}`);
      }
      expect((await blobs.head(`assets/${assetId}/master.m3u8`))?.contentType).toBe(
        'application/vnd.apple.mpegurl',
      );
      expect((await blobs.head(`assets/${assetId}/poster.jpg`))?.contentType).toBe('image/jpeg');

      const progress = eventsOf(assetId, 'media.encoding.progress').map((e) => ({
        ...(e.data as EventData<'media.encoding.progress'>),
        at: e.at,
      }));
      expect(progress.length).toBeGreaterThan(0);
      for (let i = 1; i < progress.length; i += 1)
        expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
      expect(await bus.deadLetters('encoder')).toEqual([]);

      // A redelivered (or repeated) upload is announced again from what is stored, not re-encoded.
      const before = await blobs.head(`assets/${assetId}/master.m3u8`);
      await bus.publish({
        type: 'media.uploaded',
        source: 'storage',
        subject: assetId,
        data: {
          assetId,
          titleId: 't-side',
          key: `sources/${assetId}/source.mp4`,
          filename: 'film.mp4',
          size: source.length,
          sha256: sha256(source),
        },
      });
      await waitFor(() => (eventsOf(assetId, 'media.encoded').length === 2 ? true : undefined));
      expect(eventsOf(assetId, 'media.encoded')[1]!.data).toEqual(data);
      expect(await blobs.head(`assets/${assetId}/master.m3u8`)).toEqual(before);
    } finally {
      await w.stop();
    }
    expect(w.readiness()).toMatch(/stopped/);
  });

  it('reports rejected media failed with its reason, acknowledged, and stays ready', async () => {
    const w = worker();
    await w.start();
    try {
      const assetId = await upload('just some notes, not a film\n');
      const failed = await waitFor(() => eventsOf(assetId, 'media.encoding.failed')[0]);
      expect((failed.data as EventData<'media.encoding.failed'>).reason).toMatch(/text file/);
      expect(await keysUnder(`assets/${assetId}/`)).toEqual([]);
      await waitFor(async () => ((await bus.lag('encoder')) === 0 ? true : undefined));
      expect(await bus.deadLetters('encoder')).toEqual([]);
      expect(w.readiness()).toBe(true);

      const gone = uniqueName('a');
      await bus.publish({
        type: 'media.uploaded',
        source: 'storage',
        data: {
          assetId: gone,
          titleId: 't1',
          key: `sources/${gone}/source.mp4`,
          filename: 'x.mp4',
          size: 1,
          sha256: sha256('x'),
        },
      });
      const missing = await waitFor(() => eventsOf(gone, 'media.encoding.failed')[0]);
      expect((missing.data as EventData<'media.encoding.failed'>).reason).toMatch(/no longer stored/);
    } finally {
      await w.stop();
    }
  });

  it('leaves no master playlist when stopped mid-job, and finishes the redelivered job', async () => {
    const first = worker();
    await first.start();
    const assetId = await upload(source);
    await waitFor(() => eventsOf(assetId, 'media.encoding.progress')[0]);
    await first.stop(); // kills the running ffmpeg; the event goes back to the group
    expect(eventsOf(assetId, 'media.encoded')).toEqual([]);
    expect(await blobs.head(`assets/${assetId}/master.m3u8`)).toBeUndefined();

    const second = worker();
    await second.start();
    try {
      await waitFor(() => eventsOf(assetId, 'media.encoded')[0]);
      expect(await blobs.head(`assets/${assetId}/master.m3u8`)).toBeDefined();
      expect(eventsOf(assetId, 'media.encoding.failed')).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('keeps a job that outlasts the ack timeout leased: delivered once, encoded once', async () => {
    // The real bus, with every delivery to the encoder group counted on its way to the handler.
    const deliveries: { assetId: string; count: number }[] = [];
    const counting: EventBus = {
      publish: (events) => bus.publish(events),
      subscribe: (options: SubscribeOptions) =>
        bus.subscribe({
          ...options,
          handler: async (delivery) => {
            const { assetId } = delivery.event.data as { assetId: string };
            deliveries.push({ assetId, count: delivery.deliveryCount });
            await options.handler(delivery);
          },
        }),
      replay: (options) => bus.replay(options),
      deadLetters: (group) => bus.deadLetters(group),
      lag: (group) => bus.lag(group),
      ping: () => bus.ping(),
      close: () => bus.close(),
    };
    const ackTimeoutMs = 500;
    // x264 slow on one thread: 1.4 s (idle machine) to 3 s (loaded) for the 5 s source, several ack timeouts.
    const slow = { ...DEFAULT_ENCODER_SETTINGS, preset: 'slow', threads: 1 };
    const w = worker({ bus: counting, ackTimeoutMs, settings: slow });
    await w.start();
    try {
      const started = Date.now();
      const assetId = await upload(source);
      await waitFor(() => eventsOf(assetId, 'media.encoded')[0]);
      const took = Date.now() - started;
      expect(took).toBeGreaterThan(2 * ackTimeoutMs);
      await waitFor(async () => ((await bus.lag('encoder')) === 0 ? true : undefined));
      await new Promise((r) => setTimeout(r, ackTimeoutMs + 300));
      expect(deliveries.filter((d) => d.assetId === assetId).map((d) => d.count)).toEqual([1]);
      expect(eventsOf(assetId, 'media.encoded')).toHaveLength(1);
      expect(eventsOf(assetId, 'media.encoding.failed')).toEqual([]);
    } finally {
      await w.stop();
    }
  });

  it('after the last failed attempt reports the asset failed and dead-letters the event', async () => {
    const w = worker({ maxDeliveries: 2 });
    await w.start();
    try {
      // Storage announcing a hash the stored bytes do not have: a storage fault, retried, then given up.
      const assetId = await upload(source, { sha: sha256('something else') });
      const failed = await waitFor(() => eventsOf(assetId, 'media.encoding.failed')[0]);
      expect((failed.data as EventData<'media.encoding.failed'>).reason).toMatch(
        /Encoding failed 2 times.*SHA-256/,
      );
      const dead = await waitFor(async () =>
        (await bus.deadLetters('encoder')).find(
          (d) => (d.event.data as { assetId: string }).assetId === assetId,
        ),
      );
      expect(dead.deliveries).toBe(2);
    } finally {
      await w.stop();
    }
  });
});
