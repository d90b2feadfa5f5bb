import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../packages/cli/src/ingest.js';
import { CatalogFixtures, signUp } from './support/catalog.js';
import { browserSkipReason, launchChromium } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';

const run = promisify(execFile);
/** Long enough for two 4 s segments; each second more is a second of a 1080p ladder to encode. */
const CLIP_SECONDS = 5;
const skip = browserSkipReason();
const DASH_JS = readFileSync(
  // The UMD build (the package's require entry) defines window.dashjs.
  createRequire(import.meta.url).resolve('dashjs'),
);

interface Viewer {
  token: string;
  profileId: string;
}
interface PlaybackAnswer {
  sessionId: string;
  manifestUrl: string;
  dashUrl: string | null;
  dashUnavailableReason: string | null;
}

/**
 * Issue 15 section 2 end to end, on the real platform with encryption off (DASH plays clear assets; an
 * AES-128 asset has dashUrl null, checked in streaming's content-keys test and the edge's session-mpd
 * test): the playback answer's MPD plays in dash.js in Chromium, ffmpeg decodes it whole, a basic
 * viewer's MPD lists nothing above 720p, and another asset's or a stopped session's MPD is refused.
 */
describe.skipIf(skip)('DASH from the same segments', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let titleId: string;
  /** A bare page with dash.js on its own loopback origin (no app CSP), the way another player would be. */
  let playerPage: Server;
  let playerUrl: string;

  const api = async (viewer: Viewer, method: string, path: string, body?: unknown) =>
    fetch(`${platform.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${viewer.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function newViewerAccount(plan: 'basic' | 'premium'): Promise<Viewer> {
    const account = await signUp(platform.url, plan);
    const token = await login(platform.url, account.email, account.password);
    const profiles = (await (await api({ token, profileId: '' }, 'GET', '/api/profiles')).json()) as {
      items?: { profileId: string }[];
      profiles?: { profileId: string }[];
    };
    return { token, profileId: (profiles.items ?? profiles.profiles ?? [])[0]!.profileId };
  }

  async function startPlayback(viewer: Viewer): Promise<PlaybackAnswer> {
    const res = await api(viewer, 'POST', '/api/playback', { profileId: viewer.profileId, titleId });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as PlaybackAnswer;
  }

  const heightsIn = (mpd: string) => [...mpd.matchAll(/\sheight="(\d+)"/g)].map((m) => Number(m[1]));

  beforeAll(async () => {
    // The dash.js page is on an origin of its own, as a player embedded elsewhere is: the operator lists
    // it in CORS_ORIGINS, which the steering answers (on the gateway) need — dash.js fetches them.
    playerPage = createServer((req, res) => {
      if (req.url === '/dash.all.min.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(DASH_JS);
      } else {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><video muted playsinline></video><script src="/dash.all.min.js"></script>');
      }
    });
    await new Promise<void>((resolve) => playerPage.listen(0, '127.0.0.1', resolve));
    const playerOrigin = `http://127.0.0.1:${(playerPage.address() as AddressInfo).port}`;
    playerUrl = `${playerOrigin}/`;
    const [p, b, clip] = await Promise.all([
      startTestPlatform({ env: { MEDIA_ENCRYPTION: 'false', CORS_ORIGINS: playerOrigin } }),
      launchChromium(),
      // 1080p, so that a basic viewer's MPD has a rung to leave out.
      makeClip({ seconds: CLIP_SECONDS, height: 1080 }),
    ]);
    platform = p;
    browser = b;
    const catalog = await CatalogFixtures.asAdmin(platform.url, platform.admin);
    titleId = await catalog.movie('Dashing', clip, 'PG', ['Drama']);
    // Encoding the 1080p ladder took 200 s at load 35 here (seconds on a quiet machine).
  }, 420_000);

  afterAll(async () => {
    playerPage?.close();
    await browser?.close();
    await platform?.stop();
  });

  it('answers an MPD beside the master, over the same segment files', async () => {
    const viewer = await newViewerAccount('premium');
    const session = await startPlayback(viewer);
    expect(session.dashUnavailableReason).toBeNull();
    expect(session.dashUrl).toBe(session.manifestUrl.replace(/master\.m3u8$/, 'manifest.mpd'));
    const res = await fetch(session.dashUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/dash+xml');
    const mpd = await res.text();
    expect(Math.max(...heightsIn(mpd))).toBe(1080);
    // The template names the files the HLS playlists name: one copy of the media.
    const media = /<SegmentTemplate[^>]*initialization="([^"]+)"[^>]*media="([^"]+)"/.exec(mpd)!;
    const [, init, template] = media as unknown as [string, string, string];
    const dir = init.slice(0, init.lastIndexOf('/') + 1);
    const hls = await (await fetch(new URL(`${dir}index.m3u8`, session.dashUrl!))).text();
    expect(hls).toContain(`URI="${init.slice(dir.length)}"`);
    const first = hls.split('\n').find((l) => l.endsWith('.m4s'))!;
    expect(template.replace(/\$Number%0(\d)d\$/, (_, w: string) => '0'.repeat(Number(w)))).toBe(
      `${dir}${first}`,
    );
    await api(viewer, 'DELETE', `/api/playback/${session.sessionId}`);
  }, 120_000);

  it('ffmpeg decodes the whole MPD', async () => {
    const viewer = await newViewerAccount('premium');
    const session = await startPlayback(viewer);
    const { stdout, stderr } = await run(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-nostats', '-progress', 'pipe:1', '-i', session.dashUrl!].concat([
        '-map',
        '0',
        // Text tracks are read too; the null muxer takes them copied (it has no WebVTT encoder).
        '-c:s',
        'copy',
        '-f',
        'null',
        '-',
      ]),
      { timeout: 120_000 },
    );
    expect(stderr.split('\n').filter((l) => l.trim())).toEqual([]);
    const frames = Number(/frame=(\d+)\s*\n(?![\s\S]*frame=)/.exec(stdout)?.[1] ?? 0);
    expect(frames).toBeGreaterThanOrEqual((CLIP_SECONDS - 1) * 24);
    await api(viewer, 'DELETE', `/api/playback/${session.sessionId}`);
  }, 120_000);

  it('dash.js plays it in Chromium', async () => {
    const viewer = await newViewerAccount('premium');
    const session = await startPlayback(viewer);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(playerUrl);
    await page.evaluate((url) => {
      const w = window as unknown as {
        dashjs: {
          MediaPlayer(): {
            create(): {
              initialize(v: Element, u: string, a: boolean): void;
              on(e: string, f: (e: unknown) => void): void;
            };
          };
        };
        dashErrors: string[];
      };
      w.dashErrors = [];
      const player = w.dashjs.MediaPlayer().create();
      player.on('error', (e) => w.dashErrors.push(JSON.stringify(e).slice(0, 300)));
      player.initialize(document.querySelector('video')!, url, true);
    }, session.dashUrl!);
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) >= 2.5, undefined, {
      timeout: 60_000,
    });
    const state = await page.evaluate(() => {
      const video = document.querySelector('video')!;
      return {
        height: video.videoHeight,
        dashErrors: (window as unknown as { dashErrors: string[] }).dashErrors,
        textTracks: video.textTracks.length,
      };
    });
    expect(state.height).toBeGreaterThan(0);
    expect(state.dashErrors).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
    await api(viewer, 'DELETE', `/api/playback/${session.sessionId}`);
  }, 120_000);

  it("lists nothing above 720p in a basic viewer's MPD, and refuses other assets and stopped sessions", async () => {
    const basic = await newViewerAccount('basic');
    const session = await startPlayback(basic);
    const mpd = await (await fetch(session.dashUrl!)).text();
    expect(Math.max(...heightsIn(mpd))).toBe(720);
    expect(mpd).not.toContain('height="1080"');

    // Another asset's MPD under this session's token (asset ids are in the URL): refused.
    const foreign = await fetch(session.dashUrl!.replace(/\/a\/([^/]+)\//, '/a/$1x/'));
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await foreign.json()).toMatchObject({ code: 'media.asset_mismatch' });

    // A stopped session's MPD is refused like its master, once the edge has heard of the stop.
    expect((await api(basic, 'DELETE', `/api/playback/${session.sessionId}`)).status).toBe(204);
    await expect.poll(async () => (await fetch(session.dashUrl!)).status, { timeout: 30_000 }).toBe(403);
  }, 120_000);
});
