import { ARTWORK_SESSION } from '@marquee/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAsset, startEdge } from './harness.js';

type Edge = Awaited<ReturnType<typeof startEdge>>;

/**
 * The key path of an encrypted asset is never a file: the edge forwards it to streaming (here a
 * standalone edge, which has no streaming) and never answers it from its cache or the origin.
 * End to end with streaming: web/test/content-keys.test.ts.
 */
describe('edge: content.key', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge();
    putAsset(e.origin, 'a1');
    // Planted: even if a key were ever stored beside an asset, the edge must not serve it.
    e.origin.put('assets/a1/content.key', Buffer.alloc(16, 9), 'application/octet-stream');
  });
  afterAll(() => e?.close());

  it('does not serve a stored object at the key path: without streaming it says so, uncached', async () => {
    const token = e.token({ asset: 'a1' });
    for (let i = 0; i < 2; i++) {
      const res = await e.get(`/t/${token}/a/a1/content.key`);
      const body = Buffer.from(await res.body.arrayBuffer());
      expect(res.statusCode).toBe(503);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(body.equals(Buffer.alloc(16, 9))).toBe(false);
    }
    expect(e.origin.fetchesOf('assets/a1/content.key')).toBe(0);
  });

  it('refuses an artwork token (no session) and a token for another asset', async () => {
    const artwork = e.token({ asset: 'a1', session: ARTWORK_SESSION, maxHeight: 0 });
    const res = await e.get(`/t/${artwork}/a/a1/content.key`);
    expect(res.statusCode).toBe(403);
    expect(await res.body.json()).toMatchObject({ code: 'media.artwork_only' });
    const other = await e.get(`/t/${e.token({ asset: 'a2' })}/a/a1/content.key`);
    expect(other.statusCode).toBe(403);
    expect(await other.body.json()).toMatchObject({ code: 'media.asset_mismatch' });
  });
});
