import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseVideoCodec, withCodec, AV1_PROBE } from '../src/player/codec-choice.js';
import { renditionsByCodec, videoCodecs } from '../src/admin/renditions-by-codec.js';
import { CatalogFixtures, signUp } from './support/catalog.js';
import { browserSkipReason, launchChromium, newViewer } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { chooseProfile, pageText, signIn, waitForPlayback } from './support/viewer.js';

const skip = browserSkipReason();

describe('the player’s codec choice', () => {
  const supports = (av1: boolean) => (type: string) => (type === AV1_PROBE ? av1 : true);

  it('takes AV1 where MediaSource plays it, H.264 elsewhere and without MediaSource', () => {
    expect(chooseVideoCodec({ search: '', stored: null, isTypeSupported: supports(true) })).toBe('av1');
    expect(chooseVideoCodec({ search: '', stored: null, isTypeSupported: supports(false) })).toBe('h264');
    expect(chooseVideoCodec({ search: '', stored: null, isTypeSupported: undefined })).toBe('h264');
  });

  it('is forced by the page’s ?codec= first, then localStorage; anything else is automatic', () => {
    const can = supports(true);
    expect(chooseVideoCodec({ search: '?codec=h264', stored: 'av1', isTypeSupported: can })).toBe('h264');
    expect(chooseVideoCodec({ search: '', stored: 'h264', isTypeSupported: can })).toBe('h264');
    expect(chooseVideoCodec({ search: '?codec=av1', stored: null, isTypeSupported: supports(false) })).toBe(
      'av1',
    );
    expect(chooseVideoCodec({ search: '?codec=vp9', stored: 'auto', isTypeSupported: can })).toBe('av1');
  });

  it('asks the edge’s master for the family, replacing any earlier ask', () => {
    expect(withCodec('https://e1/t/tok/a/a1/master.m3u8', 'av1')).toBe(
      'https://e1/t/tok/a/a1/master.m3u8?codec=av1',
    );
    expect(withCodec('https://e1/t/tok/a/a1/master.m3u8?codec=av1', 'h264')).toBe(
      'https://e1/t/tok/a/a1/master.m3u8?codec=h264',
    );
    expect(withCodec('/t/tok/a/a1/master.m3u8', 'h264')).toBe('/t/tok/a/a1/master.m3u8?codec=h264');
  });

  it('groups an asset’s renditions per codec for the admin console, H.264 first, tallest first', () => {
    const groups = renditionsByCodec([
      { height: 240, bandwidth: 200_000, codecs: 'av01.0.00M.08,mp4a.40.2' },
      { height: 240, bandwidth: 350_000, codecs: 'avc1.64000d,mp4a.40.2' },
      { height: 360, bandwidth: 600_000, codecs: 'avc1.64001e,mp4a.40.2' },
      { height: 360, bandwidth: 400_000, codecs: 'mp4a.40.2,av01.0.01M.08' },
    ]);
    expect(groups.map((g) => [g.label, g.rungs.map((r) => videoCodecs(r.codecs))])).toEqual([
      ['H.264', ['avc1.64001e', 'avc1.64000d']],
      ['AV1', ['av01.0.01M.08', 'av01.0.00M.08']],
    ]);
    // An asset from before AV1: one family, even without CODECS.
    expect(renditionsByCodec([{ height: 720, bandwidth: 1 }]).map((g) => g.label)).toEqual(['H.264']);
  });
});

/** The family of each video segment the page fetched, by the encoder's directories (`video_<rung>_av1/`). */
function segmentFamilies(urls: readonly string[]): Set<string> {
  return new Set(
    urls
      .map((u) => new URL(u).pathname)
      .filter((p) => /\/video_[^/]+\/[^/]+\.m4s$/.test(p))
      .map((p) => (/\/video_[^/]+_av1\//.test(p) ? 'av1' : 'h264')),
  );
}

/** What hls.js is playing: the current level's video codec. */
function playingCodec(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const hls = (
      window as unknown as { __marqueeHls?: { levels: { videoCodec?: string }[]; currentLevel: number } }
    ).__marqueeHls;
    return hls?.levels[hls.currentLevel]?.videoCodec;
  });
}

/**
 * Issue 15 section 1 in Chromium on the real platform with ENCODER_CODECS=h264,av1: a 3 s 240p title
 * (AV1 encodes are slow here) is encoded in both families; the player asks the edge for AV1 where
 * MediaSource plays it, forcing each family plays that family's segments only, and the admin console
 * lists the rungs per codec. A basic viewer's cap in both families is checked without a tall encode
 * (entitlement.test.ts, the edge's session-master and rendition-index tests).
 */
describe.skipIf(skip)('AV1 beside H.264 in the web player', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let titleId: string;

  beforeAll(async () => {
    const [p, b, clip] = await Promise.all([
      startTestPlatform({ env: { ENCODER_CODECS: 'h264,av1' } }),
      launchChromium(),
      makeClip({ seconds: 3, height: 240 }),
    ]);
    platform = p;
    browser = b;
    const catalog = await CatalogFixtures.asAdmin(platform.url, platform.admin);
    titleId = await catalog.movie('Two Codecs', clip, 'PG', ['Drama']);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('plays AV1 by choice and when forced, H.264 when forced, and the console lists both ladders', async () => {
    const context = await newViewer(browser, platform.url);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    let requested: string[] = [];
    page.on('request', (req) => requested.push(req.url()));
    await signIn(page, await signUp(platform.url, 'premium'));
    await chooseProfile(page);

    const play = async (query: string, shot: string) => {
      requested = [];
      await page.goto(`/watch/${titleId}${query}`);
      await waitForPlayback(page, 1).catch(async (err: unknown) => {
        await page.screenshot({ path: `/tmp/f-${shot}-failed.png` });
        throw new Error(`${String(err)} on ${page.url()}: ${await pageText(page)}`);
      });
      await page.screenshot({ path: `/tmp/f-${shot}.png` });
      const master = requested.find((u) => new URL(u).pathname.endsWith('/master.m3u8'));
      const token = master ? /\/t\/([^/]+)\//.exec(new URL(master).pathname)?.[1] : undefined;
      return {
        asked: master && new URL(master).searchParams.get('codec'),
        chosen: await page.locator('video').getAttribute('data-codec'),
        playing: await playingCodec(page),
        // This session's files only (its token is in the path, on any edge), not the page before's.
        segments: segmentFamilies(requested.filter((u) => token !== undefined && u.includes(`/t/${token}/`))),
      };
    };

    // Automatic: Chromium's MediaSource plays AV1 (dav1d), so the player asks for AV1.
    expect(await page.evaluate((type) => MediaSource.isTypeSupported(type), AV1_PROBE)).toBe(true);
    const auto = await play('', 'auto');
    expect(auto).toMatchObject({ asked: 'av1', chosen: 'av1', segments: new Set(['av1']) });
    expect(auto.playing).toMatch(/^av01\./);

    // Forced H.264 through localStorage (kept for this browser), then AV1 through the page URL.
    await page.evaluate(() => localStorage.setItem('marquee.codec', 'h264'));
    const h264 = await play('', 'h264');
    expect(h264).toMatchObject({ asked: 'h264', chosen: 'h264', segments: new Set(['h264']) });
    expect(h264.playing).toMatch(/^avc1\./);
    const av1 = await play('?codec=av1', 'av1');
    expect(av1).toMatchObject({ asked: 'av1', chosen: 'av1', segments: new Set(['av1']) });
    expect(watch.errors).toEqual([]);
    await context.close();

    // The admin console: one small table per codec on the title.
    const admin = await (await newViewer(browser, platform.url)).newPage();
    await signIn(admin, platform.admin);
    await admin.goto('/admin');
    await admin.getByRole('button', { name: 'Edit Two Codecs' }).click();
    const ladders = admin.getByRole('region', { name: 'Renditions of Two Codecs' });
    await expect
      .poll(() => ladders.locator('caption').allInnerTexts())
      .toEqual([expect.stringMatching(/^H\.264 — \d+ rungs?$/), expect.stringMatching(/^AV1 — \d+ rungs?$/)]);
    const h264Rows = await ladders
      .locator('table[data-codec="H.264"] tbody tr')
      .first()
      .locator('td')
      .allInnerTexts();
    const av1Rows = await ladders
      .locator('table[data-codec="AV1"] tbody tr')
      .first()
      .locator('td')
      .allInnerTexts();
    expect(h264Rows).toEqual([
      '240p',
      expect.stringMatching(/^\d[\d,]* kb\/s$/),
      expect.stringMatching(/^avc1\./),
    ]);
    expect(av1Rows).toEqual([
      '240p',
      expect.stringMatching(/^\d[\d,]* kb\/s$/),
      expect.stringMatching(/^av01\.0\.\d\dM\.08$/),
    ]);
    await admin.screenshot({ path: '/tmp/f-admin.png', fullPage: true });
    await admin.context().close();
  }, 90_000);
});
