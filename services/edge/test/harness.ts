import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createMediaKeyring, type MediaTokenPayload, type ServiceModule } from '@marquee/core';
import { createTestContext, type TestContext } from '@marquee/platform/testing';
import { MASTER, PLAYLISTS } from '../src/app/hls-fixtures.test-support.js';
import { buildEdge, type EdgeOptions } from '../src/index.js';
import { startOriginFixture } from './origin-fixture.js';

export type Origin = Awaited<ReturnType<typeof startOriginFixture>>;

/** Deterministic bytes for a file, so a test can tell which object it got. */
export function bytesOf(key: string, size = 64 * 1024): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(key).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** An encoded asset on the origin: master, playlists, init and media segments, poster. */
export function putAsset(origin: Origin, assetId: string, segmentBytes = 64 * 1024): void {
  const key = (path: string) => `assets/${assetId}/${path}`;
  origin.put(key('master.m3u8'), MASTER, 'application/vnd.apple.mpegurl');
  for (const [path, text] of PLAYLISTS) {
    origin.put(key(path), text, 'application/vnd.apple.mpegurl');
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    for (const line of text.split('\n')) {
      const file = /URI="([^"]+)"/.exec(line)?.[1] ?? (line && !line.startsWith('#') ? line : undefined);
      if (file) origin.put(key(dir + file), bytesOf(key(dir + file), segmentBytes), 'video/iso.segment');
    }
  }
  origin.put(key('poster.jpg'), bytesOf(key('poster.jpg'), 2048), 'image/jpeg');
}

/** A running edge (real HTTP on a loopback port) in front of an origin fixture. */
export async function startEdge(
  options: EdgeOptions & { ctx?: TestContext; origin?: never } & { originFixture?: Origin } = {},
) {
  const ctx = options.ctx ?? (await createTestContext());
  const origin = options.originFixture ?? (await startOriginFixture(ctx.secret));
  ctx.urls.storage = [origin.url];
  const edge: ServiceModule = await buildEdge(ctx, { standalone: true, ...options });
  await edge.app.listen({ port: 0, host: '127.0.0.1' });
  await edge.start();
  const url = `http://127.0.0.1:${(edge.app.server.address() as AddressInfo).port}`;
  const keys = createMediaKeyring({ secret: ctx.secret });
  return {
    ctx,
    edge,
    origin,
    url,
    token: (payload: Partial<MediaTokenPayload> & { asset: string }) =>
      keys.sign({
        session: 'session-1',
        maxHeight: 2160,
        exp: Math.floor(Date.now() / 1000) + 600,
        ...payload,
      }),
    get: (path: string, headers: Record<string, string> = {}) => request(`${url}${path}`, { headers }),
    async stopEdge() {
      await edge.app.close();
      await edge.stop();
    },
    async close() {
      await edge.app.close();
      await edge.stop();
      await origin.stop();
      await ctx.cleanup();
    },
  };
}
