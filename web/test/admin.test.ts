import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium, newViewer } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { signIn } from './support/viewer.js';

const skip = browserSkipReason();

describe.skipIf(skip)('the admin console in a real browser', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let clip: string;

  beforeAll(async () => {
    [platform, browser, clip] = await Promise.all([
      startTestPlatform(),
      launchChromium(),
      makeClip({ seconds: 8, height: 240, pattern: 'rgbtestsrc' }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  async function consolePage(): Promise<{ page: Page; watch: ConsoleWatch }> {
    const context = await newViewer(browser, platform.url);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    await signIn(page, platform.admin);
    await page.goto('/admin');
    return { page, watch };
  }

  async function createMovie(page: Page, name: string) {
    const form = page.getByRole('form', { name: 'Create a title' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Rating').selectOption('PG');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name, exact: true }).waitFor();
  }

  /** Every asset state the row shows until `until` (polled, so short-lived states may be missed). */
  async function statesUntil(page: Page, name: string, until: string, timeoutMs: number): Promise<string[]> {
    const seen: string[] = [];
    const state = page.locator(`tr[data-title="${name}"] [data-state]`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const now = await state.getAttribute('data-state', { timeout: 1000 }).catch(() => null);
      if (now && seen.at(-1) !== now) seen.push(now);
      if (now === until) return seen;
      await page.waitForTimeout(150);
    }
    throw new Error(`"${name}" never reached ${until}; states seen: ${seen.join(' → ') || 'none'}`);
  }

  it('uploads a source in the console and follows it until it is ready to watch', async () => {
    const { page, watch } = await consolePage();
    await createMovie(page, 'Console Upload');
    await page.getByLabel('Source file for Console Upload').setInputFiles(clip);
    const upload = page.getByRole('progressbar', { name: 'Upload of Console Upload' });
    await expect.poll(() => upload.getAttribute('aria-valuenow')).toBe('100');
    const states = await statesUntil(page, 'Console Upload', 'ready', 120_000);
    expect(states.at(-1)).toBe('ready');
    await expect
      .poll(() => page.locator('tr[data-title="Console Upload"]').innerText())
      .toMatch(/ready\s+H\.264 \d+p/); // the renditions, per codec family

    // The health page's queue counts it among the ready assets.
    await page.getByRole('link', { name: /Health/ }).click();
    await expect.poll(() => page.locator('.queue-counts').innerText()).toMatch(/1\s+ready/);
    expect(watch.errors).toEqual([]);
  }, 180_000);

  it('shows why a source that is not a video was refused', async () => {
    const { page, watch } = await consolePage();
    const notVideo = join(tmpdir(), `not-a-video-${process.pid}.mp4`);
    writeFileSync(notVideo, 'this is a text file pretending to be a film\n'.repeat(200));
    await createMovie(page, 'Broken Source');
    await page.getByLabel('Source file for Broken Source').setInputFiles(notVideo);
    await statesUntil(page, 'Broken Source', 'failed', 60_000);
    const row = await page.locator('tr[data-title="Broken Source"]').innerText();
    expect(row).toMatch(/failed\s+—\s+\S+/); // a reason a person can read follows the state
    expect(watch.errors).toEqual([]);
  }, 90_000);
});
