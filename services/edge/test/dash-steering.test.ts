import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_TOKEN_HEADER, serviceToken } from '@marquee/core';
import { browserSkipReason, launchChromium } from '../../../web/test/support/chromium.js';
import { putCmafFixture, startTwoEdges, textOnceIncludes, type Started, type TwoEdges } from './two-edges.js';

const run = promisify(execFile);
const skip = browserSkipReason();
/** Long enough that dash.js, held to a 4 s buffer, still fetches segments well after the steering moves. */
const SECONDS = 40;

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
  let rig: TwoEdges;
  let frontDoor: ReturnType<typeof startFrontDoor>;
  let frontDoorUrl: string;
  let playerPage: Server;
  let playerUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    const secret = `dash-steering-${randomBytes(16).toString('hex')}`;
    frontDoor = startFrontDoor(secret);
    frontDoorUrl = await listen(frontDoor.server);
    rig = await startTwoEdges({
      plan: 'premium',
      // Players are told to fetch steering from the front door, as from the gateway; the edges call
      // streaming through it too, so it can cut one edge's heartbeats off.
      context: { secret, settings: { MARQUEE_PUBLIC_URL: frontDoorUrl } },
      streamingBehind: (streamingUrl) => {
        frontDoor.setUpstream(streamingUrl);
        return frontDoorUrl;
      },
      title: 'Steered',
      durationSeconds: SECONDS,
      // Real CMAF HLS by ffmpeg: 180p and 90p video and an AAC group, 2 s segments.
      renditions: [
        { height: 180, width: 320, bandwidth: 200_000, codecs: 'avc1.42c00d,mp4a.40.2' },
        { height: 90, width: 160, bandwidth: 120_000, codecs: 'avc1.42c00a,mp4a.40.2' },
      ],
      putMedia: (origin, assetId, ctx) =>
        putCmafFixture(origin, assetId, join(ctx.dataDir, 'cmaf'), {
          width: 320,
          height: 180,
          seconds: SECONDS,
        }),
    });

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
    await rig?.close();
    frontDoor?.server.close();
  });

  /** A session once both edges report, and its MPD once its edge has learnt of the other. */
  async function steeredSession(): Promise<{ started: Started; mpd: string }> {
    const started = await rig.sessionOnBothEdges();
    return { started, mpd: await textOnceIncludes(started.dashUrl!, '<ContentSteering') };
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

    await rig.stopSession(started.sessionId);
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
    const removed = await rig.call('DELETE', `/internal/edges/${encodeURIComponent(from)}`);
    await removed.body.dump();
    expect(removed.statusCode).toBeLessThan(300);
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
    await rig.stopSession(started.sessionId);
  }, 180_000);
});
