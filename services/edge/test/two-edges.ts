import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { expect } from 'vitest';
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
import type { Origin } from './harness.js';
import { startOriginFixture } from './origin-fixture.js';

const run = promisify(execFile);
export const admin: Identity = { accountId: 'admin', role: 'admin', plan: 'premium' };

export interface Rendition {
  height: number;
  width: number;
  bandwidth: number;
  codecs: string;
}

/** What streaming answers a started playback. */
export interface Started {
  sessionId: string;
  manifestUrl: string;
  dashUrl: string | null;
  edges: { edgeId: string; url: string }[];
}

export interface TwoEdgesOptions {
  /** The viewer's plan: basic allows one stream at a time. */
  plan: 'basic' | 'premium';
  /** The test context's options (a secret a front door shares, MARQUEE_PUBLIC_URL). */
  context?: Parameters<typeof createTestContext>[0];
  /**
   * Where the edges reach streaming, given streaming's own URL: a front door in front of it (as the
   * gateway is) returns its URL. Streaming itself unless given.
   */
  streamingBehind?: (streamingUrl: string) => string;
  /** The title's name, and its asset as the encoder announces it. */
  title: string;
  durationSeconds: number;
  renditions: Rendition[];
  /** Puts the asset's files on the origin before it is announced. */
  putMedia(origin: Origin, assetId: string, ctx: TestContext): Promise<void> | void;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Users' internal profile lookup, for the viewer's one profile, p-1. */
function profilesServer(): Server {
  return createServer((req, res) => {
    const found = req.url === '/internal/profiles/p-1';
    const profile = { profileId: 'p-1', accountId: 'acc-1', kids: false, maxMaturity: 'NC-17' };
    res
      .writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify(found ? profile : {}));
  });
}

/**
 * Streaming and two real edges in process, on loopback ports, in front of an origin fixture: a ready
 * title whose asset is on the origin, the viewer acc-1 with profile p-1 (users' lookup stubbed). What
 * the steering (HLS and DASH) and session-revocation tests play across.
 */
export async function startTwoEdges(options: TwoEdgesOptions) {
  const viewer: Identity = { accountId: 'acc-1', role: 'viewer', plan: options.plan };
  const ctx = await createTestContext(options.context);
  const closers: (() => Promise<unknown> | void)[] = [() => ctx.cleanup()];
  const close = async () => {
    for (const step of closers.splice(0).reverse()) await step();
  };
  try {
    const profiles = profilesServer();
    ctx.urls.users = [await listen(profiles)];
    closers.push(() => void profiles.close());
    const origin = await startOriginFixture(ctx.secret);
    closers.push(() => origin.stop());
    ctx.urls.storage = [origin.url];
    const streaming: ServiceModule = await buildStreaming(ctx);
    closers.push(async () => {
      await streaming.app.close();
      await streaming.stop();
    });
    await streaming.app.listen({ port: 0, host: '127.0.0.1' });
    const streamingUrl = `http://127.0.0.1:${(streaming.app.server.address() as AddressInfo).port}`;
    ctx.urls.streaming = [options.streamingBehind?.(streamingUrl) ?? streamingUrl];
    await streaming.start();

    const call = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, who = viewer) =>
      request(`${streamingUrl}${path}`, {
        method,
        headers: {
          [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret),
          ...identityHeaders(who),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    /** DELETEs a session; its status (204 when it was playing). */
    const stopSession = async (sessionId: string) => {
      const res = await call('DELETE', `/api/playback/${sessionId}`);
      await res.body.dump();
      return res.statusCode;
    };

    // A ready title whose asset's files are on the origin.
    const created = await call(
      'POST',
      '/api/admin/titles',
      { type: 'movie', name: options.title, year: 2024, maturity: 'G' },
      admin,
    );
    const { titleId } = (await created.body.json()) as { titleId: string };
    const asset = await call('POST', `/internal/titles/${titleId}/assets`, {});
    const { assetId } = (await asset.body.json()) as { assetId: string };
    await options.putMedia(origin, assetId, ctx);
    await ctx.bus.publish({
      type: 'media.encoded',
      source: 'encoder',
      data: {
        assetId,
        titleId,
        durationSeconds: options.durationSeconds,
        renditions: options.renditions,
      },
    });

    const edges: { module: ServiceModule; url: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const module = await buildEdge(ctx);
      closers.push(async () => {
        await module.app.close();
        await module.stop();
      });
      await module.app.listen({ port: 0, host: '127.0.0.1' });
      await module.start();
      edges.push({ module, url: `http://127.0.0.1:${(module.app.server.address() as AddressInfo).port}` });
    }

    return {
      ctx,
      origin,
      edges,
      titleId,
      assetId,
      /** Calls streaming with the service token, as the viewer unless told otherwise. */
      call,
      stopSession,
      /** A playback session once streaming offers both edges (each reports every 2 s). */
      async sessionOnBothEdges(): Promise<Started> {
        let started: Started | undefined;
        for (let i = 0; i < 100 && (started?.edges.length ?? 0) < 2; i++) {
          if (started) expect(await stopSession(started.sessionId)).toBe(204);
          if (i > 0) await new Promise((r) => setTimeout(r, 200));
          const res = await call('POST', '/api/playback', { profileId: 'p-1', titleId });
          started =
            res.statusCode === 201
              ? ((await res.body.json()) as Started)
              : (await res.body.dump(), undefined);
        }
        expect(started?.edges).toHaveLength(2);
        return started!;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export type TwoEdges = Awaited<ReturnType<typeof startTwoEdges>>;

/**
 * `url`'s text once it includes `marker` (up to 10 s): an edge learns its peers, and so lists them in
 * a session's master or MPD, from its next report after they appear.
 */
export async function textOnceIncludes(url: string, marker: string): Promise<string> {
  let text = '';
  for (let i = 0; i < 50 && !text.includes(marker); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 200));
    text = await (await request(url)).body.text();
  }
  return text;
}

/**
 * Real CMAF HLS by ffmpeg on the origin under `assets/<assetId>/`: `width`×`height` and half-size video
 * renditions (v0, v1) and an AAC group (v2), 2 s segments, encoded in `dir`.
 */
export async function putCmafFixture(
  origin: Origin,
  assetId: string,
  dir: string,
  { width, height, seconds }: { width: number; height: number; seconds: number },
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await run(
    'ffmpeg',
    [
      ...['-hide_banner', '-v', 'error'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=25:duration=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
      ...['-filter_complex', `[0:v]split=2[a][b];[b]scale=${width / 2}:${height / 2}[b2]`],
      ...['-map', '[a]', '-map', '[b2]', '-map', '1:a'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
      ...['-c:a', 'aac', '-b:a', '64k', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod'],
      ...['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4'],
      ...['-hls_segment_filename', 'v%v/seg_%05d.m4s', '-master_pl_name', 'master.m3u8'],
      ...['-var_stream_map', 'v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud', 'v%v/index.m3u8'],
    ],
    { cwd: dir },
  );
  for (const rel of await readdir(dir, { recursive: true })) {
    if ((await stat(join(dir, rel))).isFile())
      origin.put(`assets/${assetId}/${rel}`, await readFile(join(dir, rel)));
  }
}
