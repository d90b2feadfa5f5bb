import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogFixtures, signUp } from './support/catalog.js';
import { browserSkipReason, launchChromium, newViewer } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { chooseProfile, sessionOf, signIn, waitForPlayback } from './support/viewer.js';

const skip = browserSkipReason();
const TITLES = 10;

/** A media request to an edge (`/t/<token>/a/<asset>/…`), without hls.js's CMCD query argument. */
function mediaUrl(url: string): string | null {
  const u = new URL(url);
  if (!/^\/t\/[^/]+\/a\//.test(u.pathname)) return null;
  u.searchParams.delete('CMCD');
  return u.href;
}

/**
 * Instant play (issue 23 §1) in Chromium on the real platform: hovering ten cards on the home page
 * prepares their playback — and takes no stream slot and counts no view (a basic plan's one stream is
 * still free, the account holds no playback session) — and Play after lingering on a title page
 * starts with the master, playlist, init and first segment fetched before the click, which the player
 * does not fetch again.
 */
describe.skipIf(skip)('instant play', () => {
  let platform: TestPlatform;
  let browser: Browser;
  const titles: { name: string; titleId: string }[] = [];

  beforeAll(async () => {
    const [p, b, clip] = await Promise.all([
      startTestPlatform(),
      launchChromium(),
      makeClip({ seconds: 4, height: 240 }),
    ]);
    platform = p;
    browser = b;
    const catalog = await CatalogFixtures.asAdmin(platform.url, platform.admin);
    const names = Array.from({ length: TITLES }, (_, i) => `Linger ${i + 1}`);
    titles.push(
      ...(await Promise.all(names.map(async (name) => ({ name, titleId: await catalog.movie(name, clip) })))),
    );
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('prepares lingered titles without a stream or a view, and Play uses what was prefetched', async () => {
    const context = await newViewer(browser, platform.url);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    const log: { at: number; url: string; method: string }[] = [];
    page.on('request', (r: Request) => log.push({ at: Date.now(), url: r.url(), method: r.method() }));
    // A basic plan streams once at a time: a preparation that took the slot would make Play fail.
    await signIn(page, await signUp(platform.url, 'basic'));
    await chooseProfile(page);
    const { accessToken } = await sessionOf(page);
    const asViewer = (path: string, init: RequestInit = {}) =>
      fetch(`${platform.url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${accessToken}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      });

    // Ten cards, each hovered a little longer than the linger; none is played.
    for (const { name } of titles) {
      const card = page.getByRole('link', { name, exact: true }).first();
      await card.waitFor({ timeout: 60_000 });
      await card.hover();
      await page.waitForTimeout(1_000);
    }
    await page.mouse.move(0, 0);
    const prepared = () => log.filter((r) => r.method === 'POST' && r.url.endsWith('/api/playback/prepare'));
    await expect.poll(() => prepared().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(TITLES);
    await page.waitForTimeout(1_000);
    expect(log.some((r) => mediaUrl(r.url)?.endsWith('/master.m3u8'))).toBe(true);
    expect(log.some((r) => mediaUrl(r.url)?.endsWith('.m4s'))).toBe(true);
    await page.screenshot({ path: '/tmp/e-home-lingered.png' });
    const { profileId } = await sessionOf(page);

    // Streaming holds no session for the account (so no lease, no playback.started, no view) ...
    const exported = JSON.stringify(await (await asViewer('/api/account/export')).json());
    expect(exported).toMatch(/"playbackSessions":\[\]/);
    // ... and the plan's one stream is free: a start answers 201, then is stopped again.
    const probe = await asViewer('/api/playback', {
      method: 'POST',
      body: JSON.stringify({ profileId, titleId: titles[0]!.titleId }),
    });
    expect(probe.status, await probe.clone().text()).toBe(201);
    const probeId = ((await probe.json()) as { sessionId: string }).sessionId;
    expect((await asViewer(`/api/playback/${probeId}`, { method: 'DELETE' })).status).toBe(204);

    // The last title hovered is among the preparations kept (the newest four); on its page, Play.
    const target = titles[TITLES - 1]!;
    await page.goto(`/title/${target.titleId}`);
    await page.getByRole('heading', { name: target.name }).waitFor();
    await page.waitForTimeout(1_000);
    const before = new Set(log.flatMap((r) => mediaUrl(r.url) ?? []));
    const clickedAt = Date.now();
    const startAnswer = page.waitForResponse((r) => /\/api\/playback\/[^/]+\/start$/.test(r.url()));
    await page.getByRole('link', { name: /^(Play|Resume)/ }).click();
    await waitForPlayback(page, 1);
    await page.screenshot({ path: '/tmp/e-playing.png' });

    const after = log.filter((r) => r.at >= clickedAt);
    // One call opens the prepared session; no cold start.
    expect(
      after.filter((r) => r.method === 'POST' && /\/api\/playback\/[^/]+\/start$/.test(r.url)),
    ).toHaveLength(1);
    expect(after.filter((r) => r.method === 'POST' && r.url.endsWith('/api/playback'))).toHaveLength(0);
    // The session's master, its playlist, init and first segment came before the click, and not again.
    const started = (await (await startAnswer).json()) as { manifestUrl: string };
    const master = mediaUrl(started.manifestUrl)!;
    expect(before.has(master), `${master} was prefetched`).toBe(true);
    const root = master.replace(/master\.m3u8$/, '');
    const prefetched = [...before].filter((u) => u.startsWith(root));
    expect(prefetched.some((u) => u.endsWith('.m3u8') && !u.endsWith('/master.m3u8'))).toBe(true);
    expect(prefetched.some((u) => u.endsWith('.mp4'))).toBe(true);
    expect(prefetched.some((u) => u.endsWith('.m4s'))).toBe(true);
    const again = after.flatMap((r) => mediaUrl(r.url) ?? []).filter((u) => before.has(u));
    expect(again).toEqual([]);
    // The content key is a started session's: none was asked for while the title was only prepared.
    expect([...before].filter((u) => u.endsWith('/content.key'))).toEqual([]);
    expect(after.some((r) => mediaUrl(r.url)?.endsWith('/content.key'))).toBe(true);
    // Playing did take the stream and the session now.
    expect(JSON.stringify(await (await asViewer('/api/account/export')).json())).not.toMatch(
      /"playbackSessions":\[\]/,
    );
    expect(watch.errors).toEqual([]);

    // The stream limit still holds at Play: with the basic plan's one stream taken elsewhere, Play on a
    // prepared title is refused, and the player it was handed to stops.
    const other = titles[1]!;
    await page.goto(`/title/${other.titleId}`);
    await page.getByRole('heading', { name: other.name }).waitFor();
    // Leaving the player stopped its session (pagehide); the slot is then taken by another device.
    const takeSlot = () =>
      asViewer('/api/playback', {
        method: 'POST',
        body: JSON.stringify({ profileId, titleId: titles[2]!.titleId }),
      });
    await expect.poll(async () => (await takeSlot()).status, { timeout: 10_000 }).toBe(201);
    await page.waitForTimeout(1_500);
    await page.getByRole('link', { name: /^(Play|Resume)/ }).click();
    await page
      .getByRole('alert')
      .getByText(/Too many screens/)
      .waitFor();
    expect(await page.locator('video').count()).toBe(0);
    await page.screenshot({ path: '/tmp/e-refused.png' });
    await context.close();
  }, 120_000);
});
