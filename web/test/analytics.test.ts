import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsSessions, TitleAnalytics } from '@marquee/contracts/api';
import { login } from '../../packages/cli/src/ingest.js';
import { CatalogFixtures, signUp } from './support/catalog.js';
import { browserSkipReason, launchChromium, newViewer } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { chooseProfile, signIn, videoState, waitForPlayback } from './support/viewer.js';

const skip = browserSkipReason();

/** Chromium's network emulation; -1 lifts a limit. */
function throttle(cdp: CDPSession, bytesPerSecond: number) {
  return cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: bytesPerSecond < 0 ? 0 : 10,
    downloadThroughput: bytesPerSecond,
    uploadThroughput: -1,
  });
}

/** True while the video wants to play but has nothing to show: a stall as the viewer sees it. */
function stalled(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const v = document.querySelector('video');
    return !!v && !v.paused && !v.ended && !v.seeking && v.readyState < 3;
  });
}

/**
 * Issue 18's acceptance in Chromium: a viewer plays two titles, one of them stalled by throttling its
 * media requests, and the admin console's analytics page shows both sessions with their start times,
 * the stall and the title's retention curve within a minute, from the real lake. The edge records the
 * player's CMCD on the way (its buffer starvation and measured throughput).
 */
describe.skipIf(skip)('analytics of real plays', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let calm: string;
  let stormy: string;

  beforeAll(async () => {
    const [p, b, calmClip, stormyClip] = await Promise.all([
      startTestPlatform(),
      launchChromium(),
      makeClip({ seconds: 24, height: 240, pattern: 'smptebars' }),
      makeClip({ seconds: 24, height: 240, pattern: 'testsrc2' }),
    ]);
    platform = p;
    browser = b;
    const catalog = await CatalogFixtures.asAdmin(platform.url, platform.admin);
    [calm, stormy] = await Promise.all([
      catalog.movie('Calm Waters', calmClip, 'PG'),
      catalog.movie('Stormy Night', stormyClip, 'PG'),
    ]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('shows both sessions, their start times, the stall and the retention curve', async () => {
    const context = await newViewer(browser, platform.url);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    const media: URL[] = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.pathname.startsWith('/t/') && /\.(m4s|mp4)$/.test(url.pathname)) media.push(url);
    });
    await signIn(page, await signUp(platform.url));
    await chooseProfile(page);

    // A calm play: a few seconds, then the viewer leaves (the page's last batch goes as keepalive).
    await page.goto(`/watch/${calm}`);
    await waitForPlayback(page, 5);
    await page.goto('/');

    // A stormy one: a link about twice the rendition's bitrate keeps the buffer a few seconds deep
    // (on loopback the player would hold the whole title at once), then a trickle drains it.
    const cdp = await context.newCDPSession(page);
    await throttle(cdp, 100_000);
    await page.goto(`/watch/${stormy}`);
    await waitForPlayback(page, 3);
    await throttle(cdp, 1_500);
    const deadline = Date.now() + 30_000;
    while (!(await stalled(page))) {
      if (Date.now() > deadline)
        throw new Error(`no stall within 30 s: ${JSON.stringify(await videoState(page))}`);
      await page.waitForTimeout(100);
    }
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: '/tmp/b-stall.png' });
    await throttle(cdp, -1);
    const stalledAt = (await videoState(page)).currentTime;
    await waitForPlayback(page, stalledAt + 3, 30_000);
    const reach = (await videoState(page)).currentTime;
    await page.goto('/');
    const leftAt = Date.now();

    expect(media.length).toBeGreaterThan(0);
    expect(
      media.every((u) => u.searchParams.has('CMCD')),
      'hls.js sends CMCD on every media request',
    ).toBe(true);

    // The operator's view.
    const admin = await newViewer(browser, platform.url);
    const desk = await admin.newPage();
    const adminWatch = new ConsoleWatch(desk);
    await signIn(desk, platform.admin);
    await desk.goto('/admin/analytics');
    const rows = desk.getByRole('table', { name: 'Latest sessions' }).locator('tbody tr');
    const stormyStalls = rowOf(desk, 'Stormy Night').locator('td').nth(4);
    for (;;) {
      const shown = (await rows.count()) >= 2 && (await stormyStalls.count()) === 1;
      if (shown && /^[1-9]/.test(await stormyStalls.innerText())) break;
      if (Date.now() - leftAt > 60_000) throw new Error('the plays did not reach the charts within a minute');
      await desk.waitForTimeout(2_000);
      await desk.getByRole('button', { name: 'Refresh' }).click();
    }
    const freshness = Date.now() - leftAt;
    await expect.poll(() => rows.count()).toBe(2);
    const cells = async (name: string) =>
      (await rowOf(desk, name).locator('td').allInnerTexts()).map((t) => t.trim());
    const [, , , calmStart, calmStalls] = await cells('Calm Waters');
    const [, , , stormyStart, stalls] = await cells('Stormy Night');
    expect(calmStart).toMatch(/^\d+(\.\d+)? m?s$/);
    expect(stormyStart).toMatch(/^\d+(\.\d+)? m?s$/);
    expect(calmStalls).toBe('0');
    expect(stalls).toMatch(/^[1-9]\d* \(\d/);
    await desk.screenshot({ path: '/tmp/b-analytics.png', fullPage: true });

    // The stormy title's own panel: views and the retention curve.
    await desk.locator('form.filters').getByLabel('Title').selectOption({ label: 'Stormy Night' });
    const stats = desk.getByRole('region', { name: 'Title statistics' });
    await stats.getByRole('img', { name: 'Audience retention curve' }).waitFor();
    await desk.screenshot({ path: '/tmp/b-analytics-title.png', fullPage: true });

    // The same numbers through the API: one view, and the curve falls where the viewer left.
    const token = await login(platform.url, platform.admin.email, platform.admin.password);
    const get = async <T>(path: string) => {
      const res = await fetch(`${platform.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, path).toBe(200);
      return (await res.json()) as T;
    };
    const title = await get<TitleAnalytics>(`/api/admin/analytics/titles/${stormy}`);
    expect(title.views).toBe(1);
    expect(title.retention[0]).toEqual({ at: 0, share: 1 });
    const fallsAt = title.retention.find((p) => p.share < 1)?.at;
    expect(
      fallsAt,
      `retention ${JSON.stringify(title.retention)} for a play to ${reach} s of 24`,
    ).toBeDefined();
    expect(fallsAt! * 24).toBeGreaterThan(reach - 24 / 20 - 1);
    expect(fallsAt! * 24).toBeLessThan(reach + 24 / 20 + 1);
    const { items } = await get<AnalyticsSessions>(`/api/admin/analytics/sessions?titleId=${stormy}`);
    expect(items[0]!.stallMs).toBeGreaterThan(1_000);

    // The edges that served the plays saw the starvation in the player's CMCD.
    const edges = [...new Set(media.map((u) => u.origin))];
    const metrics = (await Promise.all(edges.map((e) => fetch(`${e}/metrics`).then((r) => r.text())))).join(
      '\n',
    );
    const sum = (name: string) =>
      [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'gm'))].reduce(
        (s, m) => s + Number(m[1]),
        0,
      );
    const cmcdLines = metrics.split('\n').filter((l) => l.startsWith('edge_cmcd_') && !l.includes('_bucket'));
    const starvedAsks = media.filter((u) => /(^|,)bs(,|$)/.test(u.searchParams.get('CMCD') ?? ''));
    expect(starvedAsks.length, 'media requests saying bs after the stall').toBeGreaterThan(0);
    expect(sum('edge_cmcd_buffer_starvation_total'), cmcdLines.join('\n')).toBeGreaterThanOrEqual(1);
    expect(sum('edge_cmcd_measured_throughput_kbps_count')).toBeGreaterThan(0);
    expect(sum('edge_cmcd_buffer_length_seconds_count')).toBeGreaterThan(0);

    await Promise.all([context.close(), admin.close()]);
    expect(watch.errors).toEqual([]);
    expect(adminWatch.errors).toEqual([]);
    expect(freshness).toBeLessThan(60_000);
  }, 150_000);
});

function rowOf(page: Page, titleName: string) {
  return page
    .getByRole('table', { name: 'Latest sessions' })
    .locator('tbody tr')
    .filter({ has: page.getByRole('cell', { name: titleName, exact: true }) });
}
