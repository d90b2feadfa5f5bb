import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogFixtures, signUp } from './support/catalog.js';
import { browserSkipReason, CHROMIUM_FLAGS, CHROMIUM_PATH, newViewer } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { chooseProfile, signIn, waitForPlayback } from './support/viewer.js';

const skip = browserSkipReason();

/** Chromium trusting any certificate (the edges' is self-signed); `--disable-http2` holds it to HTTP/1.1. */
function launch(http2: boolean): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, '--ignore-certificate-errors', ...(http2 ? [] : ['--disable-http2'])],
  });
}

/**
 * The web app on a platform whose edges serve TLS with HTTP/2 (issue 23 §2): the player's playlists,
 * key and segments come over h2 — one connection per edge — and play; a browser that speaks only
 * HTTP/1.1 to the edges plays the same title over http/1.1 (the edges' lean responder).
 */
describe.skipIf(skip)('playback from TLS edges with HTTP/2', () => {
  let platform: TestPlatform;
  const browsers: Browser[] = [];
  let titleId: string;

  beforeAll(async () => {
    const [p, clip] = await Promise.all([
      startTestPlatform({ env: { EDGE_TLS: 'self-signed', EDGE_HTTP2: 'true' } }),
      makeClip({ seconds: 4, height: 240 }),
    ]);
    platform = p;
    browsers.push(await launch(true), await launch(false));
    const catalog = await CatalogFixtures.asAdmin(platform.url, platform.admin);
    titleId = await catalog.movie('Over h2', clip, 'PG');
  }, 240_000);

  afterAll(async () => {
    for (const b of browsers) await b.close();
    await platform?.stop();
  });

  for (const [n, protocol] of [
    [0, 'h2'],
    [1, 'http/1.1'],
  ] as const) {
    it(`plays with the media over ${protocol}`, async () => {
      const context = await newViewer(browsers[n]!, platform.url);
      const page = await context.newPage();
      const watch = new ConsoleWatch(page);
      // Resource Timing hides the protocol of cross-origin responses; DevTools' network events say it.
      const media: { url: string; protocol: string; status: number }[] = [];
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      cdp.on('Network.responseReceived', ({ response }) => {
        const url = new URL(response.url);
        if (/^\/t\/[^/]+\/a\//.test(url.pathname)) {
          media.push({ url: url.href, protocol: response.protocol ?? '?', status: response.status });
        }
      });
      await signIn(page, await signUp(platform.url));
      await chooseProfile(page);
      await page.goto(`/watch/${titleId}`);
      await waitForPlayback(page, 1);

      const edgeMedia = media.filter((m) => m.url.startsWith('https://'));
      expect(edgeMedia.length).toBe(media.length);
      for (const kind of [/\/master\.m3u8/, /\/index\.m3u8/, /\.mp4/, /\.m4s/]) {
        expect(
          edgeMedia.some((m) => kind.test(m.url) && m.status === 200),
          `${kind} fetched`,
        ).toBe(true);
      }
      expect(new Set(edgeMedia.map((m) => m.protocol))).toEqual(new Set([protocol]));
      await context.close();
      expect(watch.errors).toEqual([]);
    }, 90_000);
  }
});
