import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogFixtures, signUp } from './support/catalog.js';
import { browserSkipReason, launchChromium, newViewer } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { chooseProfile, signIn, waitForPlayback } from './support/viewer.js';

const skip = browserSkipReason();

/** Counts stalls (`waiting`) and seeks after the first frame, and the positions the video passed. */
const WATCH_JOINS = `
  window.__joins = { playing: false, waiting: 0, seeking: 0, times: [] };
  document.addEventListener('playing', () => { window.__joins.playing = true; }, true);
  document.addEventListener('waiting', () => { if (window.__joins.playing) window.__joins.waiting += 1; }, true);
  document.addEventListener('seeking', () => { if (window.__joins.playing) window.__joins.seeking += 1; }, true);
  document.addEventListener('timeupdate', (e) => {
    if (e.target instanceof HTMLVideoElement) window.__joins.times.push(e.target.currentTime);
  }, true);
`;

/**
 * A title encoded in chunks (ENCODER_CHUNK_SECONDS, issue 16 §1) plays in Chromium across its chunk
 * joins as a one-piece encode does: no stall, no seek, time moving forward by small steps through each
 * join (4 s chunks of a 12 s title: joins at 4 s and 8 s).
 */
describe.skipIf(skip)('a title encoded in chunks', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let titleId: string;

  beforeAll(async () => {
    const [p, clip] = await Promise.all([
      startTestPlatform({ env: { ENCODER_CHUNK_SECONDS: '4', LOG_LEVEL: 'info' } }),
      makeClip({ seconds: 12, height: 240 }),
    ]);
    platform = p;
    browser = await launchChromium();
    const catalog = await CatalogFixtures.asAdmin(platform.url, platform.admin);
    titleId = await catalog.movie('In chunks', clip, 'PG');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('plays across every chunk join without a stall or a jump', async () => {
    // The encoder did cut it: its log names each chunk job.
    expect(platform.output()).toMatch(/chunk 2 \(8–12 s\)/);

    const context = await newViewer(browser, platform.url);
    await context.addInitScript(WATCH_JOINS);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    await signIn(page, await signUp(platform.url));
    await chooseProfile(page);
    await page.goto(`/watch/${titleId}`);
    await waitForPlayback(page, 10, 60_000);

    const joins: {
      waiting: number;
      seeking: number;
      times: number[];
    } = await page.evaluate('window.__joins');
    expect(joins.seeking).toBe(0);
    expect(joins.waiting).toBe(0);
    // Time passed both joins moving forward, never by more than a second between two updates.
    const times = joins.times.filter((t) => t > 0);
    expect(times.some((t) => t > 3.5 && t < 4.5)).toBe(true);
    expect(times.some((t) => t > 7.5 && t < 8.5)).toBe(true);
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(0);
      expect(times[i]! - times[i - 1]!).toBeLessThan(1);
    }
    await context.close();
    expect(watch.errors).toEqual([]);
  }, 120_000);
});
