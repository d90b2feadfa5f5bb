import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredEvent } from '@marquee/platform';
import type { TestContext } from '@marquee/platform/testing';
import { startStorage, tusUpload, type RunningStorage } from './fixtures.js';

let running: RunningStorage;
let ctx: TestContext;
let base: string;
const subtitles: DeliveredEvent[] = [];

beforeAll(async () => {
  running = await startStorage({
    group: 'test-subtitles',
    types: ['media.subtitle.uploaded'],
    into: subtitles,
  });
  ({ ctx, base } = running);
});

afterAll(async () => {
  await running?.stop();
});

async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() - started > timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of ctx.blobs.list(prefix)) keys.push(info.key);
  return keys;
}

describe('media of a title (issue 22 items 11 and 12)', () => {
  it('announces a stored subtitle sidecar so the encoder can add it to a ready title', async () => {
    const srt = Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nHola\n');
    await tusUpload(base, srt, { metadata: { titleId: 'sub-title', filename: 'film.es.srt' } });
    await eventually(async () => expect(subtitles).toHaveLength(1));
    const data = subtitles[0]!.event.data as {
      titleId: string;
      key: string;
      language: string;
      filename: string;
    };
    expect(data).toMatchObject({ titleId: 'sub-title', language: 'es', filename: 'film.es.srt' });
    expect(data.key).toMatch(/^sidecars\/sub-title\/es-[^/]+\.srt$/);
    expect((await ctx.blobs.head(data.key))?.size).toBe(srt.length);
  });

  it('deletes every blob and upload of a deleted title, and only of that title', async () => {
    await tusUpload(base, randomBytes(64 * 1024), { metadata: { titleId: 'doomed', filename: 'film.mp4' } });
    await tusUpload(base, Buffer.from('WEBVTT\n\n00:01.000 --> 00:02.000\nBye\n'), {
      metadata: { titleId: 'doomed-ep', filename: 'ep.en.vtt' },
    });
    await tusUpload(base, randomBytes(1024), { metadata: { titleId: 'kept', filename: 'film.mp4' } });
    const sources = await keysUnder('sources/');
    expect(sources.length).toBeGreaterThanOrEqual(2);
    // What the encoder and the console wrote for the doomed titles, and for one that stays.
    for (const key of [
      'assets/asset-d/master.m3u8',
      'assets/asset-d/v360/seg_00001.m4s',
      'assets/art-doomed/poster-1.png',
      'assets/asset-k/master.m3u8',
    ]) {
      await ctx.blobs.put(key, Buffer.from(key));
    }
    const keptSources = await keysUnder('sources/');

    await ctx.bus.publish({
      type: 'title.deleted',
      source: 'streaming',
      data: {
        titleId: 'doomed',
        titleIds: ['doomed', 'doomed-ep'],
        assetIds: ['asset-d', 'art-doomed', 'art-doomed-ep'],
      },
    });
    await eventually(async () => {
      expect(await keysUnder('assets/asset-d/')).toEqual([]);
      expect(await keysUnder('assets/art-doomed/')).toEqual([]);
      expect(await keysUnder('sidecars/doomed-ep/')).toEqual([]);
      // One source went (doomed's); kept's stays.
      expect((await keysUnder('sources/')).length).toBe(keptSources.length - 1);
    });
    expect(await keysUnder('assets/asset-k/')).toEqual(['assets/asset-k/master.m3u8']);
  });
});
