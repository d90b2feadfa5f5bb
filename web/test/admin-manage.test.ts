import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium, newViewer } from './support/chromium.js';
import { makeClip } from './support/clips.js';
import { ConsoleWatch } from './support/console.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { signIn } from './support/viewer.js';

const skip = browserSkipReason();
const SHOTS = resolve(import.meta.dirname, '../../.artifacts/screenshots');
/** The guide's pictures (docs/guide.md) are these screenshots; UPDATE_GUIDE_IMAGES=1 refreshes them. */
const GUIDE_IMAGES = resolve(import.meta.dirname, '../../docs/images/guide');
// The smallest valid PNG: one transparent pixel.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** The operator's first hour, issue 22 items 11 and 12, at 1280 px. */
describe.skipIf(skip)('managing titles and users in the admin console', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let clip: string;
  let adminToken: string;

  beforeAll(async () => {
    [platform, browser, clip] = await Promise.all([
      startTestPlatform(),
      launchChromium(),
      makeClip({ seconds: 6, height: 240, pattern: 'rgbtestsrc' }),
    ]);
    adminToken = (await call('POST', '/api/auth/login', platform.admin)).body.accessToken as string;
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  async function call(method: string, path: string, body?: unknown, token?: string) {
    const res = await fetch(`${platform.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  async function shoot(page: Page, name: string) {
    await page.screenshot({ path: `${SHOTS}/${name}.png` });
    if (process.env.UPDATE_GUIDE_IMAGES === '1') {
      mkdirSync(GUIDE_IMAGES, { recursive: true });
      copyFileSync(`${SHOTS}/${name}.png`, join(GUIDE_IMAGES, `${name}.png`));
    }
  }

  async function consolePage(path = '/admin'): Promise<{ page: Page; watch: ConsoleWatch }> {
    const context = await newViewer(browser, platform.url);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    await signIn(page, platform.admin);
    await page.goto(path);
    return { page, watch };
  }

  const row = (page: Page, name: string) => page.locator(`tr[data-title="${name}"]`);

  async function titleIdOf(name: string): Promise<string> {
    const list = await call('GET', '/api/admin/titles?limit=100', undefined, adminToken);
    const found = (list.body.items as { titleId: string; name: string }[]).find((t) => t.name === name);
    if (!found) throw new Error(`no title named ${name}`);
    return found.titleId;
  }

  it('creates (the form clears), edits, re-postered, unpublishes, adds subtitles to and deletes a title', async () => {
    const { page, watch } = await consolePage();
    const form = page.getByRole('form', { name: 'Create a title' });
    await form.getByLabel('Name').fill('Harbour Lights');
    await form.getByLabel('Synopsis').fill('Boats at dusk');
    await form.getByLabel('Genres').fill('Drama');
    await form.getByRole('button', { name: 'Create' }).click();
    await row(page, 'Harbour Lights').waitFor();
    // The form is ready for the next title: nothing of the last one is left in it.
    expect(await form.getByLabel('Name').inputValue()).toBe('');
    expect(await form.getByLabel('Synopsis').inputValue()).toBe('');
    expect(await form.getByLabel('Genres').inputValue()).toBe('');

    await page.getByLabel('Source file for Harbour Lights').setInputFiles(clip);
    await expect
      .poll(() => row(page, 'Harbour Lights').locator('[data-state]').getAttribute('data-state'), {
        timeout: 120_000,
        interval: 500,
      })
      .toBe('ready');
    const titleId = await titleIdOf('Harbour Lights');
    await shoot(page, 'admin-titles');

    // Edit the metadata.
    await page.getByRole('button', { name: 'Edit Harbour Lights' }).click();
    let editor = page.getByRole('form', { name: 'Edit Harbour Lights' });
    await editor.getByLabel('Name').fill('Harbour Lights at Dawn');
    await editor.getByLabel('Synopsis').fill('Boats leave the harbour as the sun comes up');
    await editor.getByLabel('Rating').selectOption('G');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await row(page, 'Harbour Lights at Dawn').waitFor();
    // The editor is named after the title, which has just changed.
    editor = page.getByRole('form', { name: 'Edit Harbour Lights at Dawn' });
    const viewerView = await call('GET', `/api/titles/${titleId}`, undefined, adminToken);
    expect(viewerView.body).toMatchObject({
      name: 'Harbour Lights at Dawn',
      synopsis: 'Boats leave the harbour as the sun comes up',
      maturity: 'G',
    });

    // Replace the poster with an uploaded image; a file that is not one is refused with a reason.
    const png = join(tmpdir(), `poster-${process.pid}.png`);
    writeFileSync(png, PNG);
    const notImage = join(tmpdir(), `poster-${process.pid}.jpg`);
    writeFileSync(notImage, 'not an image at all');
    await editor.getByLabel('Poster image for Harbour Lights at Dawn').setInputFiles(notImage);
    await editor
      .getByRole('alert')
      .filter({ hasText: /JPEG, PNG or WebP/ })
      .waitFor();
    await editor.getByLabel('Poster image for Harbour Lights at Dawn').setInputFiles(png);
    await editor.getByRole('status').filter({ hasText: 'Poster replaced.' }).waitFor();
    const withPoster = await call('GET', `/api/titles/${titleId}`, undefined, adminToken);
    const posterUrl = withPoster.body.posterUrl as string;
    expect(posterUrl).toContain(`/a/art-${titleId}/poster-`);
    const image = await fetch(posterUrl);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);
    await shoot(page, 'admin-edit-title');

    // Unpublish: viewers no longer find it; publish again.
    await editor.getByRole('button', { name: 'Unpublish' }).click();
    await editor
      .getByRole('status')
      .filter({ hasText: /Unpublished/ })
      .waitFor();
    await row(page, 'Harbour Lights at Dawn').locator('[data-hidden]').waitFor();
    expect((await call('GET', `/api/titles/${titleId}`, undefined, adminToken)).status).toBe(404);
    await editor.getByRole('button', { name: 'Publish' }).click();
    await editor
      .getByRole('status')
      .filter({ hasText: /Published/ })
      .waitFor();
    expect((await call('GET', `/api/titles/${titleId}`, undefined, adminToken)).status).toBe(200);
    await editor.getByRole('button', { name: 'Close' }).click();

    // Subtitles for the title that is ready: the player's master playlist gets a Spanish rendition.
    const srt = join(tmpdir(), `harbour-${process.pid}.es.srt`);
    writeFileSync(srt, '1\n00:00:01,000 --> 00:00:03,000\nLas barcas salen del puerto\n');
    const before = (await call('GET', `/api/admin/titles/${titleId}`, undefined, adminToken)).body.asset as {
      assetId: string;
    };
    await page.getByLabel('Source file for Harbour Lights at Dawn').setInputFiles(srt);
    await expect
      .poll(
        async () =>
          ((await call('GET', `/api/admin/titles/${titleId}`, undefined, adminToken)).body.asset as {
            assetId: string;
            state: string;
          }) ?? {},
        { timeout: 60_000, interval: 500 },
      )
      .toMatchObject({ state: 'ready', assetId: expect.not.stringMatching(before.assetId) });
    const profiles = await call('GET', '/api/profiles', undefined, adminToken);
    const profileId = (profiles.body.items as { profileId: string }[])[0]!.profileId;
    const playback = await call('POST', '/api/playback', { profileId, titleId }, adminToken);
    expect(playback.status).toBe(201);
    const master = await (await fetch(playback.body.manifestUrl as string)).text();
    expect(master).toMatch(/TYPE=SUBTITLES,[^\n]*NAME="Spanish"[^\n]*LANGUAGE="es"/);
    const subsUri = /TYPE=SUBTITLES[^\n]*URI="([^"]+)"/.exec(master)![1]!;
    const subsPlaylist = await (await fetch(new URL(subsUri, playback.body.manifestUrl as string))).text();
    const vttUri = subsPlaylist.split('\n').find((l) => l.endsWith('.vtt'))!;
    const vtt = await (
      await fetch(new URL(vttUri, new URL(subsUri, playback.body.manifestUrl as string)))
    ).text();
    expect(vtt).toContain('Las barcas salen del puerto');
    await call('DELETE', `/api/playback/${playback.body.sessionId as string}`, undefined, adminToken);

    // Delete, after a second "are you sure".
    await page.getByRole('button', { name: 'Edit Harbour Lights at Dawn' }).click();
    const again = page.getByRole('form', { name: 'Edit Harbour Lights at Dawn' });
    await again.getByRole('button', { name: 'Delete…' }).click();
    await shoot(page, 'admin-delete-title');
    await again.getByRole('button', { name: 'Delete for good' }).click();
    await expect.poll(() => row(page, 'Harbour Lights at Dawn').count(), { timeout: 10_000 }).toBe(0);
    expect((await call('GET', `/api/admin/titles/${titleId}`, undefined, adminToken)).status).toBe(404);
    // The only error is the browser's note of the refused non-image (a 400 the console explained).
    expect(watch.errors.filter((e) => !/status of 400 .*\/poster\)$/.test(e))).toEqual([]);
  }, 300_000);

  it('lists users, changes a plan, disables and enables an account', async () => {
    const email = `viewer-${process.pid}@example.com`;
    const password = 'a long and private passphrase';
    expect((await call('POST', '/api/auth/signup', { email, password, plan: 'basic' })).status).toBe(201);

    const { page, watch } = await consolePage('/admin/users');
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByLabel('Email contains').fill('viewer-');
    const account = page.locator(`tr[data-account="${email}"]`);
    await account.waitFor();
    await account.getByLabel(`Plan of ${email}`).selectOption('premium');
    await page.getByRole('status').filter({ hasText: 'premium plan' }).waitFor();
    await account.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').filter({ hasText: 'disabled' }).waitFor();
    await expect.poll(() => account.innerText()).toContain('disabled');
    const refused = await call('POST', '/api/auth/login', { email, password });
    expect(refused.status).toBe(403);
    await page.getByLabel('Email contains').fill('');
    await page.locator(`tr[data-account="${platform.admin.email}"]`).waitFor();
    // The operator cannot lock themselves out: their own row has no Disable and a fixed role.
    const self = page.locator(`tr[data-account="${platform.admin.email}"]`);
    expect(await self.getByRole('button', { name: 'Disable' }).count()).toBe(0);
    expect(await self.getByLabel(`Role of ${platform.admin.email}`).isDisabled()).toBe(true);
    await shoot(page, 'admin-users');

    await account.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('status').filter({ hasText: 'can sign in again' }).waitFor();
    const back = await call('POST', '/api/auth/login', { email, password });
    expect(back.status).toBe(200);
    const me = await call('GET', '/api/account', undefined, back.body.accessToken as string);
    expect(me.body).toMatchObject({ plan: 'premium' });

    // The other two pages, as the guide shows them.
    await page.getByRole('link', { name: 'Edges' }).click();
    await page.locator('.admin table').first().waitFor();
    await shoot(page, 'admin-edges');
    await page.getByRole('link', { name: /Health/ }).click();
    await page.locator('.queue-counts').waitFor();
    // Each panel loads on its own: wait for the services table and the backup status to be there.
    await expect.poll(() => page.locator('.admin').innerText(), { timeout: 15_000 }).toMatch(/streaming/);
    await expect
      .poll(async () => (await page.locator('.admin').innerText()).split('Backups')[1]?.trim().length ?? 0, {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
    await shoot(page, 'admin-health');
    expect(watch.errors).toEqual([]);
  }, 120_000);
});
