import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
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
import { startOriginFixture } from './origin-fixture.js';

const run = promisify(execFile);
const viewer = { accountId: 'acc-1', role: 'viewer' as const, plan: 'basic' as const };
const admin = { accountId: 'admin', role: 'admin' as const, plan: 'premium' as const };

/** Real CMAF HLS made by ffmpeg: 360p and 180p video renditions and an audio group, 6 s. */
async function encodeFixture(dir: string): Promise<void> {
  await run(
    'ffmpeg',
    [
      ...['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=6'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=6'],
      ...[
        '-filter_complex',
        '[0:v]split=2[a][b];[b]scale=320:180[b2]',
        '-map',
        '[a]',
        '-map',
        '[b2]',
        '-map',
        '1:a',
      ],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
      ...['-c:a', 'aac', '-b:a', '64k', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod'],
      ...[
        '-hls_segment_type',
        'fmp4',
        '-hls_fmp4_init_filename',
        'init.mp4',
        '-hls_segment_filename',
        'v%v/seg_%05d.m4s',
      ],
      ...[
        '-master_pl_name',
        'master.m3u8',
        '-var_stream_map',
        'v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud',
      ],
      'v%v/index.m3u8',
    ],
    { cwd: dir },
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

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

describe('steering across two edges', () => {
  let ctx: TestContext;
  let streaming: ServiceModule;
  let streamingUrl: string;
  const edges: { module: ServiceModule; url: string }[] = [];
  let origin: Awaited<ReturnType<typeof startOriginFixture>>;
  let profiles: Awaited<ReturnType<typeof startProfiles>>;
  let titleId: string;

  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    identity: Identity = viewer,
  ) =>
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

    // A ready title whose asset's files are on the origin.
    titleId = (
      (await (
        await call(
          'POST',
          '/api/admin/titles',
          { type: 'movie', name: 'Test Card', year: 2024, maturity: 'G' },
          admin,
        )
      ).body.json()) as { titleId: string }
    ).titleId;
    const { assetId } = (await (
      await call('POST', `/internal/titles/${titleId}/assets`, {})
    ).body.json()) as {
      assetId: string;
    };
    await encodeFixture(ctx.dataDir);
    for (const file of await filesUnder(ctx.dataDir)) {
      const rel = relative(ctx.dataDir, file);
      if (rel === 'master.m3u8' || /^v\d\//.test(rel))
        origin.put(`assets/${assetId}/${rel}`, await readFile(file));
    }
    await ctx.bus.publish({
      type: 'media.encoded',
      source: 'encoder',
      data: {
        assetId,
        titleId,
        durationSeconds: 6,
        renditions: [
          { height: 360, width: 640, bandwidth: 70_400, codecs: 'avc1.42c01e,mp4a.40.2' },
          { height: 180, width: 320, bandwidth: 70_400, codecs: 'avc1.42c00c,mp4a.40.2' },
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

  async function steering(sessionId: string): Promise<string[]> {
    const res = await call('GET', `/api/steering/${sessionId}?_HLS_pathway=x`);
    return ((await res.body.json()) as { 'PATHWAY-PRIORITY': string[] })['PATHWAY-PRIORITY'];
  }

  it('plays through a steered master from both edges, and steers off an edge that stops', async () => {
    // Both edges have reported and the asset is ready.
    let started:
      { sessionId: string; manifestUrl: string; edges: { edgeId: string; url: string }[] } | undefined;
    for (let i = 0; i < 100 && (started?.edges.length ?? 0) < 2; i++) {
      if (started) await call('DELETE', `/api/playback/${started.sessionId}`).then((r) => r.body.dump());
      await new Promise((r) => setTimeout(r, 200));
      const res = await call('POST', '/api/playback', { profileId: 'p-1', titleId });
      started =
        res.statusCode === 201
          ? ((await res.body.json()) as typeof started)
          : (await res.body.dump(), undefined);
    }
    expect(started?.edges.map((e) => e.url).sort()).toEqual(edges.map((e) => e.url).sort());
    const { sessionId, manifestUrl } = started!;

    // An edge learns its peers from its next report (every 2 s) after they appear.
    let masterText = '';
    for (let i = 0; i < 50 && !masterText.includes('EXT-X-CONTENT-STEERING'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      masterText = await (await request(manifestUrl)).body.text();
    }
    const master = HLS.parse(masterText);
    if (!master.isMasterPlaylist) throw new Error('expected a master');
    expect(masterText).toContain(
      `#EXT-X-CONTENT-STEERING:SERVER-URI="http://127.0.0.1:8080/api/steering/${sessionId}"`,
    );
    const pathways = new Set(masterText.match(/PATHWAY-ID="[^"]+"/g));
    expect(pathways.size).toBe(2);
    for (const e of edges) expect(master.variants.some((v) => v.uri.startsWith(`${e.url}/t/`))).toBe(true);

    // ffmpeg decodes the whole session master (every variant of both pathways) from the edges.
    await run('ffmpeg', ['-hide_banner', '-v', 'error', '-i', manifestUrl, '-map', '0', '-f', 'null', '-'], {
      timeout: 60_000,
    });

    // Stop the edge the player started on: within 10 s steering leaves it…
    const [first, second] = started!.edges;
    const stopping = edges.find((e) => e.url === first!.url)!;
    const stoppedAt = Date.now();
    await stopping.module.app.close();
    let priority = await steering(sessionId);
    while (priority.includes(first!.edgeId) && Date.now() - stoppedAt < 10_000) {
      await new Promise((r) => setTimeout(r, 250));
      priority = await steering(sessionId);
    }
    expect(priority).toEqual([second!.edgeId]);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    // …and the other pathway's URIs keep playing.
    const other = master.variants.find((v) => v.uri.startsWith(`${second!.url}/t/`))!;
    const playlist = await request(other.uri);
    expect(playlist.statusCode).toBe(200);
    const media = HLS.parse(await playlist.body.text());
    if (media.isMasterPlaylist) throw new Error('expected a media playlist');
    const segment = await request(new URL(media.segments[1]!.uri, other.uri).toString());
    expect(segment.statusCode).toBe(200);
    expect((await segment.body.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }, 60_000);
});
