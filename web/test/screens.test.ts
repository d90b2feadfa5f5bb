import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogFixtures, signUp } from './support/catalog.js';
import { browserSkipReason, DESKTOP, launchChromium, newViewer, PHONE } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { chooseProfile, sessionOf, signIn, unnamedControls, waitForPlayback } from './support/viewer.js';

const SHOTS = resolve(import.meta.dirname, '../../.artifacts/screenshots');
const skip = browserSkipReason();

/**
 * Every page at desktop and phone width, saved to .artifacts/screenshots/<page>-<width>.png for a person
 * to look at. What a machine can judge is asserted on the way: no console errors, nothing wider than
 * the screen, and the page's main landmark in place.
 */
describe.skipIf(skip)('every page at desktop and phone widths', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let fixtures: { movieId: string; seriesId: string; viewer: { email: string; password: string } };
  let busy: { email: string; password: string };

  beforeAll(async () => {
    const [p, b, movieClip, episodeClip] = await Promise.all([
      startTestPlatform(),
      launchChromium(),
      // Longer than the 30 s of credits users counts as finished, so it lands in Continue Watching. The
      // same clip as the viewer tests' (made once per machine), and 240p: a 360p mandelbrot took 13 s of
      // CPU to make and twice the encoding, for screenshots that look no different.
      makeClip({ seconds: 48, height: 240 }),
      makeClip({ seconds: 6, height: 240, pattern: 'smptebars' }),
    ]);
    platform = p;
    browser = b;
    mkdirSync(SHOTS, { recursive: true });
    const catalog = await CatalogFixtures.asAdmin(platform.url, platform.admin);
    const movieId = await catalog.createTitle({
      type: 'movie',
      name: 'The Long Harbour',
      maturity: 'PG-13',
      genres: ['Drama', 'Mystery'],
      synopsis: 'A harbour pilot with one season left takes the night shift nobody wants, and finds out why.',
    });
    await catalog.upload(movieId, movieClip);
    await catalog.waitReady(movieId);
    const seriesId = await catalog.createTitle({
      type: 'series',
      name: 'Tidewater',
      maturity: 'PG',
      genres: ['Comedy'],
      synopsis: 'Three neighbours, one lighthouse and a town that never sleeps.',
    });
    const episodes = await Promise.all([
      catalog.addEpisode(seriesId, { season: 1, number: 1, name: 'The Keeper' }),
      catalog.addEpisode(seriesId, { season: 1, number: 2, name: 'Low Tide' }),
      catalog.addEpisode(seriesId, { season: 2, number: 1, name: 'New Light' }),
    ]);
    for (const id of episodes) await catalog.upload(id, episodeClip);
    await Promise.all(episodes.map((id) => catalog.waitReady(id)));

    const viewer = await signUp(platform.url, 'standard');
    busy = await signUp(platform.url, 'basic');
    fixtures = { movieId, seriesId, viewer };
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  async function shoot(page: Page, name: string, width: number) {
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `${name} at ${width} px is wider than the screen`).toBeLessThanOrEqual(0);
    expect(await unnamedControls(page), `${name}: controls without an accessible name`).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: name !== 'player' });
  }

  for (const viewport of [DESKTOP, PHONE]) {
    it(`viewer pages at ${viewport.width} px`, async () => {
      const context = await newViewer(browser, platform.url, viewport);
      const page = await context.newPage();
      const watch = new ConsoleWatch(page);
      const w = viewport.width;

      await page.goto('/login');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await shoot(page, 'login', w);
      await page.goto('/signup');
      await page.getByRole('button', { name: 'Sign up' }).waitFor();
      await shoot(page, 'signup', w);

      await signIn(page, fixtures.viewer);
      await page
        .getByRole('button', { name: /^Watch as / })
        .first()
        .waitFor();
      await shoot(page, 'profiles', w);
      await page.getByRole('button', { name: 'Add profile' }).click();
      await page.getByRole('dialog').waitFor();
      await shoot(page, 'profile-editor', w);
      await page.getByRole('button', { name: 'Cancel' }).click();

      await chooseProfile(page);
      const { accessToken, profileId } = await sessionOf(page);
      await fetch(`${platform.url}/api/profiles/${profileId}/list/${fixtures.movieId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${accessToken}` },
      });
      await page.goto(`/watch/${fixtures.movieId}`);
      await waitForPlayback(page, 2);
      await page.getByRole('button', { name: 'Pause' }).click(); // saves the position
      await page.mouse.move(w / 2, 200);
      await shoot(page, 'player', w);
      await page.getByRole('button', { name: 'Back', exact: true }).click();
      await page.waitForURL(`**/title/${fixtures.movieId}`);

      // Home with Continue Watching (and its progress bar) once the position has reached the rows.
      await expect
        .poll(
          async () => {
            await page.goto('/');
            await page.getByRole('link', { name: 'Tidewater' }).first().waitFor();
            return page.getByRole('progressbar', { name: /watched/ }).count();
          },
          { timeout: 20_000, interval: 1000 },
        )
        .toBeGreaterThan(0);
      // Row items show the encoder's posters from an edge, as the catalog does: no gradient stand-ins.
      expect(await page.locator('main .row .poster-fallback').count(), 'home rows without a poster').toBe(0);
      const loadedPosters = () =>
        page
          .locator('main .row img.poster-img')
          .evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length);
      await expect.poll(loadedPosters, { timeout: 10_000 }).toBeGreaterThan(0);
      await page.waitForLoadState('networkidle');
      await shoot(page, 'home', w);

      await page.goto(`/title/${fixtures.movieId}`);
      await page.getByRole('heading', { name: 'The Long Harbour' }).waitFor();
      await shoot(page, 'title', w);

      await page.goto(`/title/${fixtures.seriesId}`);
      await page.getByRole('link', { name: /Low Tide/ }).waitFor();
      await shoot(page, 'series', w);

      await page.getByRole('searchbox', { name: 'Search titles' }).fill('harbour');
      await page.getByRole('link', { name: 'The Long Harbour' }).waitFor();
      await shoot(page, 'search', w);

      await page.goto('/my-list');
      await page.getByRole('link', { name: 'The Long Harbour' }).waitFor();
      await shoot(page, 'my-list', w);

      await context.close();
      expect(watch.errors).toEqual([]);
    }, 120_000);

    it(`the refusal and the admin console at ${viewport.width} px`, async () => {
      const w = viewport.width;
      // A basic-plan account already streaming elsewhere: its only slot is taken.
      const screen = await newViewer(browser, platform.url, viewport);
      const other = await screen.newPage();
      await signIn(other, busy);
      await chooseProfile(other);
      const { accessToken, profileId } = await sessionOf(other);
      const started = await fetch(`${platform.url}/api/playback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ profileId, titleId: fixtures.movieId }),
      });
      expect(started.status).toBe(201);
      const page = await screen.newPage();
      const watch = new ConsoleWatch(page).allow(/status of 403/);
      await page.goto('/profiles');
      await chooseProfile(page);
      await page.goto(`/watch/${fixtures.movieId}`);
      await page.getByRole('button', { name: 'Try again' }).waitFor();
      await shoot(page, 'player-refusal', w);
      const session = (await started.json()) as { sessionId: string };
      await fetch(`${platform.url}/api/playback/${session.sessionId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${accessToken}` },
      });
      await screen.close();

      const admin = await newViewer(browser, platform.url, viewport);
      const consolePage = await admin.newPage();
      const adminWatch = new ConsoleWatch(consolePage);
      await signIn(consolePage, platform.admin);
      await consolePage.goto('/admin');
      await consolePage.getByRole('cell', { name: 'Tidewater' }).first().waitFor();
      await shoot(consolePage, 'admin-titles', w);
      await consolePage.getByRole('link', { name: 'Edges' }).click();
      await consolePage.getByRole('heading', { name: 'Edges' }).waitFor();
      await consolePage.waitForLoadState('networkidle');
      await shoot(consolePage, 'admin-edges', w);
      await consolePage.getByRole('link', { name: /Health/ }).click();
      await consolePage.getByRole('heading', { name: 'Services' }).waitFor();
      await consolePage.waitForLoadState('networkidle');
      await shoot(consolePage, 'admin-health', w);
      await admin.close();
      expect([...watch.errors, ...adminWatch.errors]).toEqual([]);
    }, 60_000);
  }
});
