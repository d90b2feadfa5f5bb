import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, loadSettings } from '@marquee/core';
import { createTestContext, type TestContext } from '@marquee/platform/testing';
import { DiskTier } from '../src/cache/disk-tier.js';
import { loadEdgeTrustAnchor } from '../src/tls.js';
import { bytesOf, putAsset, startEdge } from './harness.js';
import { startOriginFixture } from './origin-fixture.js';

const logger = createLogger({ level: 'silent' });
const identity = { edgeId: 'edge-resilience', url: 'http://127.0.0.1:1' };

describe('edge resilience', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('keeps serving what it holds while the origin is down, and says 502 for the rest', async () => {
    const e = await startEdge();
    cleanups.push(() => e.close());
    putAsset(e.origin, 'a1');
    const token = e.token({ asset: 'a1' });
    const url = (file: string) => `/t/${token}/a/a1/${file}`;
    for (const file of ['master.m3u8', 'v720/seg_00001.m4s']) await (await e.get(url(file))).body.dump();
    await e.origin.stop();

    const held = await e.get(url('v720/seg_00001.m4s'));
    expect(held.statusCode).toBe(200);
    expect(Buffer.from(await held.body.arrayBuffer()).equals(bytesOf('assets/a1/v720/seg_00001.m4s'))).toBe(
      true,
    );
    expect((await e.get(url('master.m3u8'))).statusCode).toBe(200);
    const missing = await e.get(url('v720/seg_00002.m4s'));
    expect(missing.statusCode).toBe(502);
    expect(await missing.body.json()).toMatchObject({ code: 'edge.origin_unavailable' });

    await e.origin.restart();
    expect((await e.get(url('v720/seg_00002.m4s'))).statusCode).toBe(200);
  });

  it('finds its disk tier again after a restart and serves from it with the origin down', async () => {
    const ctx: TestContext = await createTestContext();
    const origin = await startOriginFixture(ctx.secret);
    cleanups.push(async () => {
      await origin.stop();
      await ctx.cleanup();
    });
    putAsset(origin, 'a2');
    const first = await startEdge({ ctx, originFixture: origin, identity });
    const token = first.token({ asset: 'a2' });
    const url = (file: string) => `/t/${token}/a/a2/${file}`;
    for (const file of ['master.m3u8', 'v360/index.m3u8', 'v360/seg_00001.m4s']) {
      await (await first.get(url(file))).body.dump();
    }
    await first.stopEdge(); // waits for background disk writes
    await origin.stop();

    const second = await startEdge({ ctx, originFixture: origin, identity });
    cleanups.push(() => second.stopEdge());
    const res = await second.get(url('v360/seg_00001.m4s'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-cache']).toBe('HIT-DISK');
    expect(Buffer.from(await res.body.arrayBuffer()).equals(bytesOf('assets/a2/v360/seg_00001.m4s'))).toBe(
      true,
    );
    const again = await second.get(url('v360/seg_00001.m4s'));
    expect(again.headers['x-cache']).toBe('HIT-RAM'); // promoted
    await again.body.dump();
  });

  it('pre-fills the start of an asset when it is published', async () => {
    // Pre-fill needs streaming configured (for popular titles); it is not running: events alone drive it.
    const ctx = await createTestContext({ urls: { streaming: ['http://127.0.0.1:9'] } });
    const e = await startEdge({ ctx, standalone: false });
    cleanups.push(() => e.close());
    putAsset(e.origin, 'a3');
    await e.ctx.bus.publish({
      type: 'title.published',
      source: 'streaming',
      data: { titleId: 't3', assetId: 'a3', name: 'New', genres: [], maturity: 'G', year: 2024 },
    });
    // Renditions are filled in master order; v360 is the last, its third segment the last object.
    const deadline = Date.now() + 10_000;
    while (e.origin.fetchesOf('assets/a3/v360/seg_00003.m4s') === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 100)); // the last body lands in RAM after the fetch began
    for (const file of [
      'master.m3u8',
      'v1080/index.m3u8',
      'v1080/init.mp4',
      'v1080/seg_00001.m4s',
      'audio/en/seg_00001.m4s',
      'v720/seg_00002.m4s',
      'v360/seg_00003.m4s',
    ]) {
      expect(e.origin.fetchesOf(`assets/a3/${file}`), file).toBe(1);
    }
    const token = e.token({ asset: 'a3' });
    const res = await e.get(`/t/${token}/a/a3/v720/seg_00002.m4s`);
    expect(res.headers['x-cache']).toBe('HIT-RAM');
    await res.body.dump();
    expect(e.origin.fetchesOf('assets/a3/v720/seg_00002.m4s')).toBe(1);
    expect(e.origin.fetchesOf('assets/a3/v720/seg_00005.m4s')).toBe(0); // only the start is filled
  });

  it('serves HTTPS with a self-signed certificate made on first start', async () => {
    const ctx = await createTestContext({ settings: { EDGE_TLS: 'self-signed' } });
    const origin = await startOriginFixture(ctx.secret);
    cleanups.push(async () => {
      await origin.stop();
      await ctx.cleanup();
    });
    putAsset(origin, 'a4');
    const e = await startEdge({ ctx, originFixture: origin });
    cleanups.push(() => e.stopEdge());
    expect(await readdir(join(ctx.dataDir, 'edge-tls'))).toEqual(['cert.pem', 'key.pem']);
    const token = e.token({ asset: 'a4' });
    const poster = `${e.url.replace('http:', 'https:')}/t/${token}/a/a4/poster.jpg`;
    // Verification stays on: the certificate internal callers load is what makes it pass.
    await expect(request(poster)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const ca = await loadEdgeTrustAnchor(ctx.settings, ctx.dataDir);
    expect(ca?.toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const { Agent } = await import('undici');
    const dispatcher = new Agent({ connect: { ca } });
    cleanups.push(() => dispatcher.close());
    const res = await request(poster, { dispatcher });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    // Over TLS too the lean responder answers media (a RAM hit now) and hands the rest to Node.
    const hit = await request(poster, { dispatcher });
    expect(hit.headers['x-cache']).toBe('HIT-RAM');
    expect(hit.headers['keep-alive']).toBeUndefined();
    expect(Buffer.from(await hit.body.arrayBuffer()).equals(bytesOf('assets/a4/poster.jpg', 2048))).toBe(
      true,
    );
    const ready = await request(`${e.url.replace('http:', 'https:')}/readyz`, { dispatcher });
    expect(ready.statusCode).toBe(200);
    expect(ready.headers['x-request-id']).toBeDefined();
    await ready.body.dump();
  });

  it('has no certificate to trust with TLS off, or before the self-signed one is made', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquee-edge-tls-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    expect(await loadEdgeTrustAnchor(loadSettings({}), dataDir)).toBeUndefined();
    const selfSigned = loadSettings({ EDGE_TLS: 'self-signed' });
    expect(await loadEdgeTrustAnchor(selfSigned, dataDir)).toBeUndefined();
    await writeFile(join(dataDir, 'chain.pem'), 'PEM');
    const files = loadSettings({
      EDGE_TLS: 'files',
      EDGE_TLS_CERT: join(dataDir, 'chain.pem'),
      EDGE_TLS_KEY: join(dataDir, 'key.pem'),
    });
    expect((await loadEdgeTrustAnchor(files, dataDir))?.toString()).toBe('PEM');
  });
});

describe('disk tier', () => {
  it('evicts least recently used objects beyond its byte budget and drops torn writes on open', async () => {
    const root = await mkdtemp(join(tmpdir(), 'edge-disk-'));
    try {
      const object = (key: string) => ({
        key,
        body: bytesOf(key, 10_000),
        etag: '"x"',
        contentType: 'video/mp4',
      });
      const disk = new DiskTier(root, 3 * (10_000 + 4096), logger, { maxObjectBytes: 20_000 });
      await disk.open();
      await disk.put(object('k1'));
      await disk.put(object('k2'));
      await disk.put(object('k3'));
      expect(await disk.get('k1')).toBeDefined(); // k1 is now more recent than k2
      await disk.put(object('k4'));
      expect(await disk.get('k2')).toBeUndefined();
      expect((await disk.get('k1'))?.body.equals(bytesOf('k1', 10_000))).toBe(true);
      expect(disk.count).toBe(3);
      await disk.put({ ...object('too-big'), body: Buffer.alloc(30_000) });
      expect(await disk.get('too-big')).toBeUndefined();

      const dir = (await readdir(root)).find((d) => /^[0-9a-f]{2}$/.test(d))!;
      await writeFile(join(root, dir, 'deadbeef.tmp-123'), 'torn');
      const reopened = new DiskTier(root, 3 * (10_000 + 4096), logger, { maxObjectBytes: 20_000 });
      await reopened.open();
      expect(reopened.count).toBe(3);
      expect((await readdir(join(root, dir))).some((f) => f.includes('.tmp-'))).toBe(false);
      expect((await reopened.get('k4'))?.body.equals(bytesOf('k4', 10_000))).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
