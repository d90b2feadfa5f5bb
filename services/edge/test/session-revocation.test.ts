import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  identityHeaders,
  SERVICE_TOKEN_HEADER,
  serviceToken,
  type Identity,
  type ServiceModule,
} from '@marquee/core';
import { createTestContext, type TestContext } from '@marquee/platform/testing';
import { buildStreaming } from '@marquee/streaming';
import { buildEdge } from '../src/index.js';
import { putAsset } from './harness.js';
import { startOriginFixture } from './origin-fixture.js';

const viewer = { accountId: 'acc-1', role: 'viewer' as const, plan: 'basic' as const };
const admin = { accountId: 'admin', role: 'admin' as const, plan: 'premium' as const };

/** Users' internal profile lookup, for one basic account's profile. */
async function startProfiles() {
  const server = createServer((req, res) => {
    const found = req.url === '/internal/profiles/p-1';
    res
      .writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
      .end(
        JSON.stringify(
          found ? { profileId: 'p-1', accountId: 'acc-1', kids: false, maxMaturity: 'NC-17' } : {},
        ),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

interface Started {
  sessionId: string;
  manifestUrl: string;
  edges: { edgeId: string; url: string }[];
}

/**
 * The stream-limit bypass of issue 20: a basic account (one stream) starts, stops and starts again,
 * keeping the first session's URLs. Stopping must make them stop working at every edge within 60 s.
 */
describe('a stopped session’s media URLs', () => {
  let ctx: TestContext;
  let streaming: ServiceModule;
  let streamingUrl: string;
  const edges: { module: ServiceModule; url: string }[] = [];
  let origin: Awaited<ReturnType<typeof startOriginFixture>>;
  let profiles: Awaited<ReturnType<typeof startProfiles>>;
  let titleId: string;
  let assetId: string;

  const call = (method: 'POST' | 'DELETE', path: string, body?: unknown, identity: Identity = viewer) =>
    request(`${streamingUrl}${path}`, {
      method,
      headers: {
        [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret),
        ...identityHeaders(identity),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    ctx = await createTestContext();
    profiles = await startProfiles();
    origin = await startOriginFixture(ctx.secret);
    ctx.urls.users = [profiles.url];
    ctx.urls.storage = [origin.url];
    streaming = await buildStreaming(ctx);
    await streaming.app.listen({ port: 0, host: '127.0.0.1' });
    streamingUrl = `http://127.0.0.1:${(streaming.app.server.address() as AddressInfo).port}`;
    ctx.urls.streaming = [streamingUrl];
    await streaming.start();
    titleId = (
      (await (
        await call(
          'POST',
          '/api/admin/titles',
          { type: 'movie', name: 'Loop', year: 2024, maturity: 'G' },
          admin,
        )
      ).body.json()) as { titleId: string }
    ).titleId;
    ({ assetId } = (await (await call('POST', `/internal/titles/${titleId}/assets`, {})).body.json()) as {
      assetId: string;
    });
    putAsset(origin, assetId);
    await ctx.bus.publish({
      type: 'media.encoded',
      source: 'encoder',
      data: {
        assetId,
        titleId,
        durationSeconds: 24,
        renditions: [
          { height: 720, width: 1280, bandwidth: 2_800_000, codecs: 'avc1.64001f,mp4a.40.2' },
          { height: 360, width: 640, bandwidth: 800_000, codecs: 'avc1.64001e,mp4a.40.2' },
        ],
      },
    });
    for (let i = 0; i < 2; i++) {
      const module = await buildEdge(ctx);
      await module.app.listen({ port: 0, host: '127.0.0.1' });
      await module.start();
      edges.push({ module, url: `http://127.0.0.1:${(module.app.server.address() as AddressInfo).port}` });
    }
  }, 60_000);

  afterAll(async () => {
    for (const e of edges) {
      await e.module.app.close();
      await e.module.stop();
    }
    await streaming?.app.close();
    await streaming?.stop();
    await origin?.stop();
    profiles?.close();
    await ctx?.cleanup();
  });

  /** A segment of the session's token, from one edge: its status and problem code. */
  async function segment(started: Started, edgeUrl: string): Promise<{ status: number; code?: string }> {
    const token = /\/t\/([^/]+)\//.exec(started.manifestUrl)![1]!;
    const res = await request(`${edgeUrl}/t/${token}/a/${assetId}/v360/seg_00001.m4s`);
    if (res.statusCode === 200) {
      await res.body.dump();
      return { status: 200 };
    }
    return { status: res.statusCode, code: ((await res.body.json()) as { code: string }).code };
  }

  it('stop working at every edge within 60 s of the stop; the new session’s URLs work', async () => {
    // Wait until streaming offers both edges (each reports every 2 s).
    let first: Started | undefined;
    for (let i = 0; i < 100 && (first?.edges.length ?? 0) < 2; i++) {
      if (first) expect((await call('DELETE', `/api/playback/${first.sessionId}`)).statusCode).toBe(204);
      await new Promise((r) => setTimeout(r, 200));
      const res = await call('POST', '/api/playback', { profileId: 'p-1', titleId });
      first =
        res.statusCode === 201 ? ((await res.body.json()) as Started) : (await res.body.dump(), undefined);
    }
    expect(first?.edges.length).toBe(2);
    for (const e of edges) expect(await segment(first!, e.url)).toEqual({ status: 200 });

    const stopped = await call('DELETE', `/api/playback/${first!.sessionId}`);
    expect(stopped.statusCode).toBe(204);
    const stoppedAt = Date.now();
    // The basic plan's one slot is free again: a second session starts and plays.
    const second = await call('POST', '/api/playback', { profileId: 'p-1', titleId });
    expect(second.statusCode).toBe(201);
    const next = (await second.body.json()) as Started;

    for (const e of edges) {
      let answer = await segment(first!, e.url);
      while (answer.status === 200 && Date.now() - stoppedAt < 60_000) {
        await new Promise((r) => setTimeout(r, 250));
        answer = await segment(first!, e.url);
      }
      expect(answer, e.url).toEqual({ status: 403, code: 'media.session_ended' });
    }
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    for (const e of edges) expect(await segment(next, e.url)).toEqual({ status: 200 });
  }, 90_000);
});
