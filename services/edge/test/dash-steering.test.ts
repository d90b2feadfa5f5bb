import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import type { Browser } from 'playwright-core';
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
import { browserSkipReason, launchChromium } from '../../../web/test/support/chromium.js';
import { buildEdge } from '../src/index.js';
import { startOriginFixture } from './origin-fixture.js';

const run = promisify(execFile);
const skip = browserSkipReason();
const viewer = { accountId: 'acc-1', role: 'viewer' as const, plan: 'premium' as const };
const admin = { accountId: 'admin', role: 'admin' as const, plan: 'premium' as const };
/** Long enough that dash.js, held to a 4 s buffer, still fetches segments well after the steering moves. */
const SECONDS = 40;

/** Real CMAF HLS by ffmpeg: 180p and 90p video and an AAC group, 2 s segments. */
async function encodeFixture(dir: string): Promise<void> {
  await run(
    'ffmpeg',
    [
      ...['-hide_banner', '-v', 'error'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25:duration=${SECONDS}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`],
      ...['-filter_complex', '[0:v]split=2[a][b];[b]scale=160:90[b2]', '-map', '[a]', '-map', '[b2]'],
      ...['-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-keyint_min', '50'],
      ...['-sc_threshold', '0', '-c:a', 'aac', '-b:a', '64k', '-f', 'hls', '-hls_time', '2'],
      ...['-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4'],
      ...['-hls_segment_filename', 'v%v/seg_%05d.m4s', '-master_pl_name', 'master.m3u8'],
      ...['-var_stream_map', 'v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud', 'v%v/index.m3u8'],
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

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The gateway's part, in front of streaming: players' steering requests, and the edges' own calls. It
 * can cut one edge's heartbeats off (503), so streaming stops ranking that edge while it keeps
 * serving — the steering answer moves players, no failure does.
 */
function startFrontDoor(secret: string) {
  const cutOff = new Set<string>();
  let upstream = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/internal/edges/heartbeat') {
        const { edgeId } = JSON.parse(body.toString() || '{}') as { edgeId?: string };
        if (edgeId && cutOff.has(edgeId)) return void res.writeHead(503).end();
      }
      const forward = httpRequest(
        `${upstream}${req.url}`,
        // As the gateway does, every request reaches streaming with the service token.
        { method: req.method, headers: { ...req.headers, [SERVICE_TOKEN_HEADER]: serviceToken(secret) } },
        (answer) => {
          // A gateway with CORS_ORIGINS naming the player's origin (the test's player page is its own).
          res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'access-control-allow-origin': '*' });
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body);
    });
  });
  return {
    server,
    cutOff,
    setUpstream: (url: string) => (upstream = url),
  };
}

interface Started {
  sessionId: string;
  manifestUrl: string;
  dashUrl: string | null;
  edges: { edgeId: string; url: string }[];
}

interface SteeredMpd {
  MPD: {
    BaseURL?: { serviceLocation: string; '#text': string }[];
    ContentSteering?: { defaultServiceLocation: string; queryBeforeStart: string; '#text': string };
  };
}
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => name === 'BaseURL',
});

/**
 * Issue 15 §2's DASH Content Steering on two real edges and streaming (in process, the media a real
 * ffmpeg CMAF encode): the session MPD lists both edges as BaseURLs with the steering server, the
 * segments resolve under each, ffmpeg decodes it whole, and dash.js in Chromium moves to the other edge
 * when the steering answer stops listing the one it plays from (that edge still serving).
 */
describe.skipIf(skip)('DASH Content Steering across two edges', () => {
  let ctx: TestContext;
  let streaming: ServiceModule;
  let streamingUrl: string;
  let frontDoor: ReturnType<typeof startFrontDoor>;
  let frontDoorUrl: string;
  const edges: ServiceModule[] = [];
  let origin: Awaited<ReturnType<typeof startOriginFixture>>;
  let profiles: Server;
  let playerPage: Server;
  let playerUrl: string;
  let browser: Browser;
  let titleId: string;

  const call = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, who: Identity = viewer) =>
    fetch(`${streamingUrl}${path}`, {
      method,
      headers: {
        [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret),
        ...identityHeaders(who),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    const secret = `dash-steering-${randomBytes(16).toString('hex')}`;
    frontDoor = startFrontDoor(secret);
    frontDoorUrl = await listen(frontDoor.server);
    // Players are told to fetch steering from the front door, as from the gateway.
    ctx = await createTestContext({ secret, settings: { MARQUEE_PUBLIC_URL: frontDoorUrl } });
    profiles = createServer((req, res) => {
      const found = req.url === '/internal/profiles/p-1';
      const profile = { profileId: 'p-1', accountId: 'acc-1', kids: false, maxMaturity: 'NC-17' };
      res
        .writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
        .end(JSON.stringify(found ? profile : {}));
    });
    origin = await startOriginFixture(ctx.secret);
    ctx.urls.users = [await listen(profiles)];
    ctx.urls.storage = [origin.url];
    streaming = await buildStreaming(ctx);
    await streaming.app.listen({ port: 0, host: '127.0.0.1' });
    streamingUrl = `http://127.0.0.1:${(streaming.app.server.address() as AddressInfo).port}`;
    frontDoor.setUpstream(streamingUrl);
    ctx.urls.streaming = [frontDoorUrl];
    await streaming.start();

    const created = await call(
      'POST',
      '/api/admin/titles',
      { type: 'movie', name: 'Steered', year: 2024, maturity: 'G' },
      admin,
    );
    titleId = ((await created.json()) as { titleId: string }).titleId;
    const asset = await call('POST', `/internal/titles/${titleId}/assets`, {});
    const { assetId } = (await asset.json()) as { assetId: string };
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
        durationSeconds: SECONDS,
        renditions: [
          { height: 180, width: 320, bandwidth: 200_000, codecs: 'avc1.42c00d,mp4a.40.2' },
          { height: 90, width: 160, bandwidth: 120_000, codecs: 'avc1.42c00a,mp4a.40.2' },
        ],
      },
    });
    for (let i = 0; i < 2; i++) {
      const edge = await buildEdge(ctx);
      await edge.app.listen({ port: 0, host: '127.0.0.1' });
      await edge.start();
      edges.push(edge);
    }

    // The UMD build (the package's require entry) defines window.dashjs.
    const dashJs = await readFile(createRequire(import.meta.url).resolve('dashjs'));
    playerPage = createServer((req, res) => {
      if (req.url === '/dash.all.min.js')
        return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(dashJs);
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><video muted playsinline></video><script src="/dash.all.min.js"></script>');
    });
    playerUrl = `${await listen(playerPage)}/`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    playerPage?.close();
    for (const edge of edges) {
      await edge.app.close();
      await edge.stop();
    }
    await streaming?.app.close();
    await streaming?.stop();
    await origin?.stop();
    profiles?.close();
    frontDoor?.server.close();
    await ctx?.cleanup();
  });

  /** A session once both edges report, and its MPD once its edge has learnt of the other. */
  async function steeredSession(): Promise<{ started: Started; mpd: string }> {
    let started: Started | undefined;
    for (let i = 0; i < 100 && (started?.edges.length ?? 0) < 2; i++) {
      if (started) await call('DELETE', `/api/playback/${started.sessionId}`);
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      const res = await call('POST', '/api/playback', { profileId: 'p-1', titleId });
      started = res.status === 201 ? ((await res.json()) as Started) : undefined;
    }
    expect(started?.edges).toHaveLength(2);
    let mpd = '';
    for (let i = 0; i < 50 && !mpd.includes('<ContentSteering'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      mpd = await (await fetch(started!.dashUrl!)).text();
    }
    return { started: started!, mpd };
  }

  it('lists both edges as BaseURLs with the steering server; segments resolve under each; ffmpeg decodes it whole', async () => {
    const { started, mpd } = await steeredSession();
    const doc = (parser.parse(mpd) as SteeredMpd).MPD;
    const [first, second] = started.edges as [Started['edges'][0], Started['edges'][0]];
    const token = /\/t\/([^/]+)\//.exec(started.dashUrl!)![1]!;
    const assetBase = (edgeUrl: string) =>
      `${edgeUrl}${new URL(started.dashUrl!).pathname.replace(/manifest\.mpd$/, '')}`;
    expect(doc.BaseURL?.map((b) => [b.serviceLocation, b['#text']])).toEqual([
      [first.edgeId, assetBase(first.url)],
      [second.edgeId, assetBase(second.url)],
    ]);
    expect(doc.BaseURL![1]!['#text']).toContain(`/t/${token}/`);
    expect(doc.ContentSteering).toEqual({
      defaultServiceLocation: first.edgeId,
      queryBeforeStart: 'true',
      '#text': `${frontDoorUrl}/api/steering/${started.sessionId}/dash`,
    });

    // The same init and media segments under every BaseURL, with the session's token.
    const template = /<SegmentTemplate[^>]*initialization="([^"]+)"[^>]*media="([^"]+)"/.exec(mpd)!;
    for (const base of doc.BaseURL!) {
      for (const path of [template[1]!, template[2]!.replace(/\$Number%05d\$/, '00003')]) {
        const res = await fetch(new URL(path, base['#text']));
        expect(res.status, `${base.serviceLocation} ${path}`).toBe(200);
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
      }
    }

    // The steering answer, DASH form, through the front door as a player asks it.
    const res = await fetch(
      `${doc.ContentSteering!['#text']}?_DASH_pathway=%22${first.edgeId}%22&_DASH_throughput=900000`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const answer = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual([
      'PATHWAY-PRIORITY',
      'SERVICE-LOCATION-PRIORITY',
      'TTL',
      'VERSION',
    ]);
    expect(answer).toMatchObject({ VERSION: 1, TTL: 5 });
    expect([...(answer['PATHWAY-PRIORITY'] as string[])].sort()).toEqual(
      [first.edgeId, second.edgeId].sort(),
    );
    expect(answer['SERVICE-LOCATION-PRIORITY']).toEqual(answer['PATHWAY-PRIORITY']);
    const bad = await fetch(
      `${frontDoorUrl}/api/steering/${started.sessionId}/dash?_DASH_pathway=${'x'.repeat(600)}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const { stdout, stderr } = await run(
      'ffmpeg',
      [
        '-nostdin',
        '-v',
        'error',
        '-nostats',
        '-progress',
        'pipe:1',
        '-i',
        started.dashUrl!,
        '-map',
        '0',
        '-f',
        'null',
        '-',
      ],
      { timeout: 120_000 },
    );
    expect(stderr.split('\n').filter((l) => l.trim())).toEqual([]);
    const frames = Number(/frame=(\d+)\s*\n(?![\s\S]*frame=)/.exec(stdout)?.[1] ?? 0);
    // `frame=` counts the first video stream's frames (every stream is decoded: -map 0).
    expect(frames).toBeGreaterThanOrEqual((SECONDS - 1) * 25);

    await call('DELETE', `/api/playback/${started.sessionId}`);
    const gone = await fetch(doc.ContentSteering!['#text']);
    expect(gone.status).toBe(404);
  }, 120_000);

  it('dash.js plays the steered MPD and moves to the other edge when steering stops listing its own', async () => {
    const { started } = await steeredSession();
    const byOrigin = new Map(started.edges.map((e) => [new URL(e.url).origin, e.edgeId]));
    const page = await browser.newPage();
    const errors: string[] = [];
    /** Every media request dash.js made: which edge, and which steering request came before it. */
    const log: { kind: 'steering' | 'segment'; edgeId?: string; url: string; at: number }[] = [];
    const failed: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.pathname.includes('/api/steering/'))
        log.push({ kind: 'steering', url: req.url(), at: Date.now() });
      else if (url.pathname.endsWith('.m4s')) {
        log.push({
          kind: 'segment',
          edgeId: byOrigin.get(url.origin) ?? url.origin,
          url: req.url(),
          at: Date.now(),
        });
      }
    });
    page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
    });
    page.on('requestfailed', (req) => failed.push(`${req.failure()?.errorText} ${req.url()}`));
    await page.goto(playerUrl);
    await page.evaluate((url) => {
      interface Player {
        updateSettings(s: unknown): void;
        initialize(v: Element, u: string, a: boolean): void;
        on(e: string, f: (e: unknown) => void): void;
      }
      const w = window as unknown as {
        dashjs: { MediaPlayer(): { create(): Player } };
        dashErrors: string[];
        steered: string[][];
      };
      w.dashErrors = [];
      w.steered = [];
      const player = w.dashjs.MediaPlayer().create();
      // A short buffer, so segments keep being fetched (from wherever steering says) while it plays.
      const buffer = { bufferTimeDefault: 4, bufferTimeAtTopQuality: 4, bufferTimeAtTopQualityLongForm: 4 };
      player.updateSettings({ streaming: { buffer } });
      player.on('error', (e) => w.dashErrors.push(JSON.stringify(e).slice(0, 300)));
      // Each steering answer dash.js took in, as it read it.
      player.on('contentSteeringRequestCompleted', (e) => {
        const data = (e as { currentSteeringResponseData?: { pathwayPriority?: string[] } })
          .currentSteeringResponseData;
        w.steered.push(data?.pathwayPriority ?? []);
      });
      player.initialize(document.querySelector('video')!, url, true);
    }, started.dashUrl!);
    const currentTime = () => page.evaluate(() => document.querySelector('video')?.currentTime ?? 0);
    await expect.poll(currentTime, { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(3);

    // queryBeforeStart: the steering server was asked before the first segment, and answered.
    const firstSegment = log.findIndex((e) => e.kind === 'segment');
    expect(log.findIndex((e) => e.kind === 'steering')).toBeLessThan(firstSegment);
    const steered = () => page.evaluate(() => (window as unknown as { steered: string[][] }).steered);
    expect((await steered())[0]).toHaveLength(2);
    // It plays from the edge that answer ranked first.
    expect(log[firstSegment]!.edgeId).toBe((await steered())[0]![0]);

    // Steering stops listing the edge it plays from (that edge goes on serving)…
    const from = log.filter((e) => e.kind === 'segment').at(-1)!.edgeId!;
    const to = started.edges.find((e) => e.edgeId !== from)!.edgeId;
    frontDoor.cutOff.add(from);
    expect((await call('DELETE', `/internal/edges/${encodeURIComponent(from)}`)).status).toBeLessThan(300);
    const movedAt = Date.now();
    const priority = async () =>
      (
        (await (await fetch(`${frontDoorUrl}/api/steering/${started.sessionId}/dash`)).json()) as {
          'PATHWAY-PRIORITY': string[];
        }
      )['PATHWAY-PRIORITY'];
    await expect.poll(priority, { timeout: 10_000 }).toEqual([to]);

    // …and after its next steering request (TTL 5 s) dash.js fetches segments from the other edge.
    await expect
      .poll(() => log.some((e) => e.kind === 'segment' && e.edgeId === to && e.at > movedAt), {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(true);
    const steeredAgain = log.find((e) => e.kind === 'steering' && e.at > movedAt)!;
    expect(decodeURIComponent(new URL(steeredAgain.url).searchParams.get('_DASH_pathway') ?? '')).toContain(
      from,
    );
    expect((await steered()).at(-1)).toEqual([to]);
    const at = await currentTime();
    await expect.poll(currentTime, { timeout: 30_000, interval: 250 }).toBeGreaterThan(at + 2);

    expect(failed).toEqual([]);
    const dashErrors = await page.evaluate(() => (window as unknown as { dashErrors: string[] }).dashErrors);
    expect(dashErrors).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
    frontDoor.cutOff.delete(from);
    await call('DELETE', `/api/playback/${started.sessionId}`);
  }, 180_000);
});
