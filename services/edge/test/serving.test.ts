import { request as httpRequest } from 'node:http';
import HLS from 'hls-parser';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTWORK_SESSION } from '@marquee/core';
import { bytesOf, putAsset, startEdge } from './harness.js';

type Edge = Awaited<ReturnType<typeof startEdge>>;

/** GET with the path sent byte for byte (URL parsers would resolve dot segments first). */
function rawStatus(url: string): Promise<number> {
  const { host, port } = new URL(url);
  const path = url.slice(url.indexOf('/', 'http://'.length));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: host.split(':')[0], port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject).end();
  });
}

describe('edge serving', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge();
    putAsset(e.origin, 'asset-1');
    putAsset(e.origin, 'asset-2');
  });
  afterAll(() => e?.close());

  const path = (token: string, file: string, asset = 'asset-1') => `/t/${token}/a/${asset}/${file}`;

  it('answers 403 problem+json for tampered, expired, foreign-asset and garbage tokens', async () => {
    const good = e.token({ asset: 'asset-1', maxHeight: 720 });
    const [body, sig] = good.split('.') as [string, string];
    const wire = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const raised = `${Buffer.from(JSON.stringify({ ...wire, h: 2160 })).toString('base64url')}.${sig}`;
    const cases: [string, string][] = [
      [path(raised, 'master.m3u8'), 'media.token_invalid'],
      [path(`${body}.${'A'.repeat(43)}`, 'master.m3u8'), 'media.token_invalid'],
      [
        path(e.token({ asset: 'asset-1', exp: Math.floor(Date.now() / 1000) - 1 }), 'master.m3u8'),
        'media.token_expired',
      ],
      [path(good, 'master.m3u8', 'asset-2'), 'media.asset_mismatch'],
      [path('nonsense.token', 'v720/seg_00001.m4s'), 'media.token_invalid'],
    ];
    for (const [url, code] of cases) {
      const res = await e.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(await res.body.json()).toMatchObject({ code, type: `urn:marquee:problem:${code}`, status: 403 });
    }
    // Dot segments never reach a cache or the origin (sent raw: an HTTP client would normalise them).
    for (const raw of [
      '/asset-1/%2e%2e/asset-2/master.m3u8',
      '/asset-1/v1%2f..%2fx',
      '/asset-1/v1%5c..%5cx',
    ]) {
      expect(await rawStatus(`${e.url}/t/${good}/a${raw}`), raw).toBe(404);
    }
    expect(e.origin.totalFetches()).toBe(0); // nothing refused reached the origin
  });

  it('serves a master limited to the token height, and refuses higher renditions', async () => {
    const token = e.token({ asset: 'asset-1', maxHeight: 720 });
    const res = await e.get(path(token, 'master.m3u8'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const master = HLS.parse(await res.body.text());
    if (!master.isMasterPlaylist) throw new Error('expected a master playlist');
    expect(master.variants.map((v) => v.resolution?.height)).toEqual([720, 360]);

    expect((await e.get(path(token, 'v720/index.m3u8'))).statusCode).toBe(200);
    const ok = await e.get(path(token, 'v720/seg_00001.m4s'));
    expect(ok.statusCode).toBe(200);
    expect(
      Buffer.from(await ok.body.arrayBuffer()).equals(bytesOf('assets/asset-1/v720/seg_00001.m4s')),
    ).toBe(true);
    for (const file of ['v1080/seg_00001.m4s', 'v1080/init.mp4', 'v1080/index.m3u8', 'v1080/seg_12345.m4s']) {
      const refused = await e.get(path(token, file));
      expect(refused.statusCode, file).toBe(403);
      expect(await refused.body.json()).toMatchObject({ code: 'media.rendition_forbidden' });
    }
    expect((await e.get(path(token, 'audio/en/seg_00001.m4s'))).statusCode).toBe(200);
    expect((await e.get(path(token, 'subs/en/sub_1.vtt'))).statusCode).toBe(200);
    const premium = e.token({ asset: 'asset-1', maxHeight: 2160 });
    expect((await e.get(path(premium, 'v1080/seg_00001.m4s'))).statusCode).toBe(200);
  });

  it('sends ETag, Content-Length and Cache-Control, hits RAM the second time, and honours ranges', async () => {
    const token = e.token({ asset: 'asset-1' });
    const url = path(token, 'v360/seg_00002.m4s');
    const first = await e.get(url);
    await first.body.arrayBuffer();
    expect(first.headers['x-cache']).toBe('MISS');
    const second = await e.get(url);
    const body = Buffer.from(await second.body.arrayBuffer());
    expect(second.headers).toMatchObject({
      'x-cache': 'HIT-RAM',
      'content-length': String(64 * 1024),
      'cache-control': 'public, max-age=31536000, immutable',
      'accept-ranges': 'bytes',
      'content-type': 'video/iso.segment',
    });
    const etag = String(second.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);

    const ranged = await e.get(url, { range: 'bytes=10-19' });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 10-19/${64 * 1024}`);
    expect(Buffer.from(await ranged.body.arrayBuffer()).equals(body.subarray(10, 20))).toBe(true);
    const suffix = await e.get(url, { range: 'bytes=-5' });
    expect(Buffer.from(await suffix.body.arrayBuffer()).equals(body.subarray(-5))).toBe(true);
    const past = await e.get(url, { range: `bytes=${64 * 1024}-` });
    expect(past.statusCode).toBe(416);
    await past.body.dump();
    const stale = await e.get(url, { range: 'bytes=0-0', 'if-range': '"other"' });
    expect(stale.statusCode).toBe(200);
    await stale.body.dump();
    const notModified = await e.get(url, { 'if-none-match': etag });
    expect(notModified.statusCode).toBe(304);
    await notModified.body.dump();
    // RAM hits share one header set per object: the ranged answers above must not have changed it.
    const again = await e.get(url);
    expect(Buffer.from(await again.body.arrayBuffer()).equals(body)).toBe(true);
    expect(again.statusCode).toBe(200);
    expect(again.headers['content-length']).toBe(String(64 * 1024));
    expect(again.headers['content-range']).toBeUndefined();
    expect(again.headers['x-cache']).toBe('HIT-RAM');
  });

  it('coalesces 100 concurrent misses of one object into one origin fetch', async () => {
    const token = e.token({ asset: 'asset-2' });
    await (await e.get(path(token, 'master.m3u8', 'asset-2'))).body.dump();
    const key = 'assets/asset-2/v720/seg_00003.m4s';
    e.origin.setDelay(150);
    try {
      const responses = await Promise.all(
        Array.from({ length: 100 }, () => e.get(path(token, 'v720/seg_00003.m4s', 'asset-2'))),
      );
      const bodies = await Promise.all(responses.map(async (r) => Buffer.from(await r.body.arrayBuffer())));
      expect(responses.every((r) => r.statusCode === 200)).toBe(true);
      expect(bodies.every((b) => b.equals(bytesOf(key)))).toBe(true);
      expect(e.origin.fetchesOf(key)).toBe(1);
    } finally {
      e.origin.setDelay(0);
    }
  });

  it('opens only images with an artwork token', async () => {
    const art = e.token({ asset: 'asset-1', session: ARTWORK_SESSION, maxHeight: 0 });
    const poster = await e.get(path(art, 'poster.jpg'));
    expect(poster.statusCode).toBe(200);
    expect(poster.headers['content-type']).toBe('image/jpeg');
    await poster.body.dump();
    for (const file of ['master.m3u8', 'audio/en/seg_00001.m4s', 'v360/seg_00001.m4s']) {
      const res = await e.get(path(art, file));
      expect(res.statusCode).toBe(403);
      expect(await res.body.json()).toMatchObject({ code: 'media.artwork_only' });
    }
  });

  it('answers 404 for objects the origin does not have, and a CORS preflight', async () => {
    const token = e.token({ asset: 'asset-1' });
    const missing = await e.get(path(token, 'nothing.jpg'));
    expect(missing.statusCode).toBe(404);
    expect(await missing.body.json()).toMatchObject({ code: 'not_found' });
    const preflight = await request(`${e.url}${path(token, 'v360/seg_00001.m4s')}`, { method: 'OPTIONS' });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('range');
    await preflight.body.dump();
  });

  it('exposes hit ratios per tier, bytes served and origin fetches', async () => {
    const text = await (await e.get('/metrics')).body.text();
    expect(text).toMatch(/edge_cache_hit_ratio\{[^}]*tier="ram"[^}]*\} 0\.\d+/);
    expect(text).toMatch(/edge_cache_hit_ratio\{[^}]*tier="disk"/);
    expect(text).toMatch(/edge_bytes_served_total\{[^}]*\} [1-9]\d*/);
    expect(text).toMatch(/edge_origin_fetches_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/edge_refusals_total\{[^}]*code="media.rendition_forbidden"/);
  });

  it('answers the same over the server fast path as through the Fastify route, and counts both', async () => {
    const token = e.token({ asset: 'asset-1', maxHeight: 720 });
    const cases: [string, Record<string, string>][] = [
      [path(token, 'v720/seg_00002.m4s'), {}],
      [path(token, 'v720/seg_00002.m4s'), { range: 'bytes=10-99' }],
      [path(token, 'v720/seg_00002.m4s'), { range: 'bytes=999999999-' }],
      [path(token, 'v1080/seg_00001.m4s'), {}],
      [path('nonsense.token', 'v720/seg_00001.m4s'), {}],
    ];
    for (const [url, headers] of cases) {
      const wire = await e.get(url, headers);
      const wireBody = Buffer.from(await wire.body.arrayBuffer());
      const injected = await e.edge.app.inject({ url, headers });
      expect(wire.statusCode, url).toBe(injected.statusCode);
      // Only Fastify's hooks add a request id: its absence shows the wire answer took the fast path.
      expect(wire.headers['x-request-id']).toBeUndefined();
      expect(injected.headers['x-request-id']).toBeDefined();
      expect(wireBody.equals(injected.rawPayload), url).toBe(true);
      for (const name of ['content-type', 'content-length', 'content-range', 'etag', 'cache-control'])
        expect(wire.headers[name], `${url} ${name}`).toEqual(injected.headers[name]);
    }
    const head = await request(`${e.url}${path(token, 'v720/seg_00002.m4s')}`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect((await head.body.arrayBuffer()).byteLength).toBe(0);
    const metrics = await (await e.get('/metrics')).body.text();
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/t\/\*"[^}]*status="206"[^}]*\} [1-9]/,
    );
  });
});
