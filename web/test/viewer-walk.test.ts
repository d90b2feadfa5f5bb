import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoVideo } from '../../packages/cli/src/demo/generate.js';
import { CatalogFixtures } from './support/catalog.js';
import { browserSkipReason, DESKTOP, launchChromium, newViewer, PHONE } from './support/chromium.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import {
  chooseProfile,
  pageText,
  sessionOf,
  signIn,
  tabTo,
  unnamedControls,
  videoState,
  waitForPlayback,
} from './support/viewer.js';

// Screenshots land in .artifacts/ on every run; the guide's copies in docs/images/walk/ change only when
// asked (UPDATE_GUIDE_IMAGES=1), so a test run never dirties the tree.
const SHOTS = resolve(
  import.meta.dirname,
  process.env.UPDATE_GUIDE_IMAGES === '1' ? '../../docs/images/walk' : '../../.artifacts/screenshots/walk',
);
const skip = browserSkipReason();

/**
 * Issue 22's acceptance walk, as a new viewer: sign up, play the hero (a series: it names the episode),
 * reload mid-play and resume, switch to Spanish audio and subtitles (drawn above the controls, no
 * console errors), the next episode by its countdown, Back to the series with its episode list and
 * progress, an episode found by search, volume, speed and keyboard-reachable controls; then a kids
 * profile that cannot reach Manage profiles nor change a profile through the API. At 1280 and 390 px,
 * with screenshots in .artifacts/screenshots/walk/ (docs/images/walk/ with UPDATE_GUIDE_IMAGES=1).
 */
describe.skipIf(skip)('a new viewer’s first hour, walked in Chromium', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let ids: { series: string; first: string; second: string };
  const viewer = { email: `walker-${Date.now()}@marquee.test`, password: 'correct horse battery staple' };
  const media = mkdtempSync(join(tmpdir(), 'marquee-walk-'));

  beforeAll(async () => {
    const episode = (name: string, lines: [string[], string[]], pattern: string) =>
      generateDemoVideo(
        'ffmpeg',
        {
          video: `${pattern}=size=426x240:rate=24`,
          audio: [
            ['en', 440],
            ['es', 660],
          ],
          subtitles: [
            ['en', lines[0]],
            ['es', lines[1]],
          ],
          seconds: 12,
        },
        media,
        name,
      );
    const [p, b, first, second] = await Promise.all([
      startTestPlatform(),
      launchChromium(),
      episode(
        'keeper',
        [
          ['Ahoy, sailor', 'The tide is low', 'See you tomorrow'],
          ['Hola, marinero', 'La marea está baja', 'Hasta mañana'],
        ],
        'testsrc2',
      ),
      episode(
        'low-tide',
        [
          ['Fog on the bay', 'Ring the bell'],
          ['Niebla en la bahía', 'Toca la campana'],
        ],
        'smptebars',
      ),
    ]);
    platform = p;
    browser = b;
    mkdirSync(SHOTS, { recursive: true });
    const catalog = await CatalogFixtures.asAdmin(platform.url, platform.admin);
    const series = await catalog.createTitle({
      type: 'series',
      name: 'Tidewater',
      maturity: 'PG',
      genres: ['Drama'],
    });
    const e1 = await catalog.addEpisode(series, { season: 1, number: 1, name: 'The Keeper' });
    const e2 = await catalog.addEpisode(series, { season: 1, number: 2, name: 'Low Tide' });
    await catalog.upload(e1, first);
    await catalog.upload(e2, second);
    await Promise.all([catalog.waitReady(e1, 280_000), catalog.waitReady(e2, 280_000)]);
    ids = { series, first: e1, second: e2 };
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    rmSync(media, { recursive: true, force: true });
  });

  /**
   * Leaves the player as a viewer closing the tab does (pagehide stops the session), so the walk's
   * later steps are not refused for too many screens by sessions a closed context left running.
   */
  async function leave(page: Page) {
    await page.goto('about:blank');
    await page.context().close();
  }

  async function shoot(page: Page, name: string, width: number) {
    expect(await unnamedControls(page), `${name}: controls without an accessible name`).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png` });
  }

  /** Shows the controls (as a viewer moving the mouse does) and waits for them to be fully in. */
  async function revealControls(page: Page, width: number) {
    await page.mouse.move(width / 2, 300);
    await page.mouse.move(width / 2 + 5, 310);
    await page.waitForTimeout(400);
  }

  async function choose(page: Page, menu: RegExp, item: RegExp) {
    await page.getByRole('button', { name: menu }).click();
    await page.getByRole('menuitemradio', { name: item }).click();
  }

  /** The drawn subtitle's box, the controls' top and the picture's box, in page pixels. */
  function subtitleGeometry(page: Page) {
    return page.evaluate(() => {
      const line = document.querySelector('[data-testid=subtitles] span');
      const box = line?.getBoundingClientRect();
      const controls = document.querySelector('.controls')!.getBoundingClientRect();
      const picture = document.querySelector('.picture')!.getBoundingClientRect();
      return {
        text: line?.textContent ?? null,
        top: box?.top ?? 0,
        bottom: box?.bottom ?? 0,
        controlsTop: controls.top,
        pictureTop: picture.top,
        pictureBottom: picture.bottom,
      };
    });
  }

  /**
   * Spanish subtitles on, back near the start so every Spanish line is still ahead, paused with the
   * controls shown: where the first Spanish cue is drawn.
   */
  async function firstSpanishCue(page: Page, width: number) {
    await choose(page, /^Subtitles: /, /Spanish/);
    await page.evaluate(() => {
      const v = document.querySelector('video')!;
      v.currentTime = 0.5;
      v.pause();
    });
    await expect
      .poll(async () => (await subtitleGeometry(page)).text, { timeout: 15_000 })
      .toBe('Hola, marinero');
    await revealControls(page, width);
    await page.waitForTimeout(400);
    return subtitleGeometry(page);
  }

  it('signs up, plays the hero series, resumes after a reload, and switches to Spanish (1280 px)', async () => {
    const w = DESKTOP.width;
    const context = await newViewer(browser, platform.url, DESKTOP);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);

    await page.goto('/signup');
    await page.getByLabel('Email').fill(viewer.email);
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('radio', { name: /Premium/ }).check();
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL('**/profiles');
    await chooseProfile(page);
    await expect.poll(() => page.title(), { timeout: 10_000 }).toBe('Home – Marquee');

    // The hero is the series; its Play names the episode it starts. The rows appear once the
    // recommender has heard of the title (a moment on a busy machine): reload until they do.
    const hero = page.getByRole('region', { name: 'Featured' });
    const play = hero.getByRole('link', { name: /^(Play|Resume)/ });
    await expect
      .poll(
        async () => {
          await page.goto('/');
          await play.waitFor({ timeout: 5000 }).catch(() => undefined);
          if (!(await play.isVisible())) return `no hero: ${await pageText(page)}`;
          // The label settles once the series' episodes and the history have loaded.
          await page.waitForLoadState('networkidle');
          return play.innerText();
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toMatch(/Play S1:E1$/);
    await shoot(page, 'home', w);
    await play.click();
    await page.waitForURL(`**/watch/${ids.series}`);
    await waitForPlayback(page, 4);
    await expect
      .poll(() => page.locator('.player-series').innerText(), { timeout: 15_000 })
      .toBe('Tidewater · S1:E1');
    expect(await page.locator('.player-title').innerText()).toBe('The Keeper');
    await expect.poll(() => page.title(), { timeout: 10_000 }).toBe('Watching Tidewater S1:E1 – Marquee');

    // A reload mid-play resumes where it was.
    const before = (await videoState(page)).currentTime;
    await page.reload();
    const resumed = await waitForPlayback(page, 0.05);
    expect(resumed.currentTime, `resumed at ${resumed.currentTime} s after ${before} s`).toBeGreaterThan(
      before - 1.5,
    );

    // Spanish audio and subtitles, by their names.
    await revealControls(page, w);
    await choose(page, /^Audio: /, /Spanish/);
    await expect
      .poll(
        () =>
          page.evaluate(
            () => (window as unknown as { __marqueeHls: { audioTrack: number } }).__marqueeHls.audioTrack,
          ),
        { timeout: 15_000 },
      )
      .toBe(1);
    await expect
      .poll(() => page.getByRole('button', { name: /^Audio: / }).getAttribute('aria-label'), {
        timeout: 15_000,
      })
      .toBe('Audio: Spanish');
    const shown = await firstSpanishCue(page, w);
    expect(shown.bottom, 'subtitles clear the controls').toBeLessThanOrEqual(shown.controlsTop);
    expect(shown.top).toBeGreaterThanOrEqual(shown.pictureTop);
    await shoot(page, 'player-spanish-subtitles', w);
    await leave(page);
    expect(watch.errors, 'no console errors (the CSP refused the subtitle track before)').toEqual([]);
  }, 180_000);

  it('counts down to the next episode, names it, and Back lands on the series with progress (1280 px)', async () => {
    const w = DESKTOP.width;
    const context = await newViewer(browser, platform.url, DESKTOP);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    await signIn(page, viewer);
    await chooseProfile(page);
    await page.goto(`/watch/${ids.first}`);
    await waitForPlayback(page, 0.5);
    await page.evaluate(() => {
      const v = document.querySelector('video')!;
      v.currentTime = v.duration - 2.8;
    });
    const prompt = page.getByRole('region', { name: 'Next episode' });
    await prompt.waitFor({ timeout: 10_000 });
    expect(await prompt.innerText()).toMatch(/Up next: S1:E2 Low Tide[\s\S]*Next episode in [0-3]/);
    // The countdown follows the video's clock: paused, it waits (and the screenshot can be taken on a
    // busy machine); played again, it runs out by itself.
    await page.evaluate(() => document.querySelector('video')!.pause());
    const held = await prompt.innerText();
    await page.waitForTimeout(1500);
    expect(await prompt.innerText()).toBe(held);
    await shoot(page, 'player-next-episode', w);
    await page.evaluate(() => document.querySelector('video')!.play());
    // Nothing pressed: the countdown runs out and the next episode starts.
    await page.waitForURL(`**/watch/${ids.second}`, { timeout: 15_000 });
    await waitForPlayback(page, 1.5);
    await expect
      .poll(() => page.locator('.player-series').innerText(), { timeout: 15_000 })
      .toBe('Tidewater · S1:E2');
    expect(await page.locator('.player-title').innerText()).toBe('Low Tide');

    // Speed, volume and every control by keyboard, each with a name a screen reader reads.
    await revealControls(page, w);
    await choose(page, /^Speed: /, /^1\.5×$/);
    expect((await videoState(page)).playbackRate).toBe(1.5);
    // Paused from here: at 1.5× the 12 s episode can end (and the player move on) mid-way through the
    // keyboard checks below on a slow run.
    await page.evaluate(() => document.querySelector('video')!.pause());
    await tabTo(page, /^Volume$/);
    const volume = () => page.evaluate(() => document.querySelector('video')!.volume);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(volume, { timeout: 5000 }).toBeCloseTo(0.95, 2);
    // The second step goes to the slider by name: on loaded CI runs the page's focus was seen to leave
    // it between two presses (not reproduced here; noted as open in the issue).
    // It was seen lost once more on the final CI dry run of session 27 (0.95 after the press): a press
    // that changed nothing within a second is made again — never a second one after a change.
    const slider = page.getByRole('slider', { name: 'Volume' });
    await slider.press('ArrowLeft');
    let looks = 0;
    await expect
      .poll(
        async () => {
          if (looks++ > 0 && (await volume()) > 0.925) await slider.press('ArrowLeft');
          return volume();
        },
        { timeout: 5000, interval: 1000 },
      )
      .toBeCloseTo(0.9, 2);
    for (const name of [/^Subtitles: /, /^Full screen$/, /^Speed: /]) await tabTo(page, name);
    // A menu opens from the keyboard and closes with Escape without leaving the player.
    await page.keyboard.press('Enter');
    await page.getByRole('menu', { name: 'Speed' }).waitFor();
    await page.keyboard.press('Escape');
    expect(await page.getByRole('menu').count()).toBe(0);
    expect(page.url()).toContain('/watch/');
    await shoot(page, 'player-controls', w);

    // Back goes to the series: its episodes, the one being watched with its progress and Resume.
    await page.getByRole('button', { name: 'Back to Tidewater' }).click();
    await page.waitForURL(`**/title/${ids.series}`);
    await page.getByRole('region', { name: 'Episodes' }).waitFor();
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'Tidewater' }).waitFor();
          await page.waitForLoadState('networkidle');
          return page.getByRole('link', { name: /^(Resume|Play) S1:E\d$/ }).innerText();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toMatch(/Resume S1:E2/);
    const episodeRow = page.getByRole('link', { name: /Low Tide/ });
    expect(await episodeRow.getByRole('progressbar').count()).toBe(1);
    await expect.poll(() => page.title(), { timeout: 10_000 }).toBe('Tidewater – Marquee');
    await shoot(page, 'series-resume', w);

    // Search finds the episode by its name and opens its series.
    await page.goto('/search?q=low%20tide');
    const hits = page.getByRole('region', { name: 'Episodes' });
    await hits.getByRole('link', { name: /Low Tide/ }).click();
    await page.waitForURL(`**/title/${ids.series}?season=1`);
    await page.getByRole('heading', { name: 'Tidewater' }).waitFor();
    await context.close();
    expect(watch.errors).toEqual([]);
  }, 180_000);

  it('a kids profile cannot reach Manage profiles nor change profiles through the API (1280 px)', async () => {
    const context = await newViewer(browser, platform.url, DESKTOP);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page).allow(/status of 403/);
    await signIn(page, viewer);
    await page.getByRole('button', { name: 'Add profile' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Kid');
    await dialog.getByLabel(/Kids profile/).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await chooseProfile(page, 'Kid');
    await page.goto('/profiles');
    await page.getByRole('button', { name: 'Watch as Kid' }).waitFor();
    expect(await page.getByRole('button', { name: 'Manage profiles' }).count()).toBe(0);
    await shoot(page, 'profiles-kids', DESKTOP.width);
    const { accessToken, profileId } = await sessionOf(page);
    const status = await page.evaluate(
      async ({ token, kid }) => {
        const res = await fetch(`/api/profiles/${kid}`, {
          method: 'PATCH',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'marquee-profile': kid,
          },
          body: JSON.stringify({ kids: false }),
        });
        return { status: res.status, code: ((await res.json()) as { code?: string }).code };
      },
      { token: accessToken, kid: profileId },
    );
    expect(status).toEqual({ status: 403, code: 'profile.kids_cannot_manage' });
    await context.close();
    expect(watch.errors).toEqual([]);
  }, 180_000);

  it('plays with Spanish subtitles on the picture, clear of the controls, on a phone (390 px)', async () => {
    const w = PHONE.width;
    const context = await newViewer(browser, platform.url, PHONE);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    await signIn(page, viewer);
    await chooseProfile(page, new RegExp(`^Watch as ${viewer.email.split('@')[0]}`, 'i'));
    await page
      .getByRole('region', { name: 'Featured' })
      .getByRole('link', { name: /^(Play|Resume) S1:E\d$/ })
      .waitFor();
    await page.waitForLoadState('networkidle');
    await shoot(page, 'home', w);
    await page.goto(`/watch/${ids.first}`);
    await waitForPlayback(page, 0.5);
    await revealControls(page, w);
    const shown = await firstSpanishCue(page, w);
    expect(shown.bottom, 'on the picture, not below it').toBeLessThanOrEqual(shown.pictureBottom);
    expect(shown.top).toBeGreaterThanOrEqual(shown.pictureTop);
    expect(shown.bottom).toBeLessThanOrEqual(shown.controlsTop);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, 'the player fits the phone').toBeLessThanOrEqual(0);
    await shoot(page, 'player-spanish-subtitles', w);
    expect(await pageText(page)).not.toMatch(/undefined|NaN/);
    await leave(page);
    expect(watch.errors).toEqual([]);
  }, 180_000);
});
