import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from './support/catalog.js';
import { browserSkipReason, newViewer, PHONE } from './support/chromium.js';
import { WatchedPages } from './support/console.js';
import { usePlatformAndBrowser } from './support/platform-and-browser.js';
import { platformApi, type TokenPair } from './support/platform-api.js';
import { chooseProfile, pageText, signIn } from './support/viewer.js';

/**
 * Issue 17 (items 1 and 4) and issue 22 item 7 in a real browser: the account page (address, plan,
 * password, signed-in devices, sign out everywhere) and the mailed-link pages (verify, reset). The
 * platform has no SMTP server, so mail goes to its data directory and the test reads it as the
 * operator would, in the admin mail view.
 */
const skip = browserSkipReason();
const SHOTS = resolve(import.meta.dirname, '../../.artifacts/screenshots');
const PASSWORD = 'correct horse battery staple';
/** Password hashing (production argon2) and lazy chunks take seconds on a loaded machine. */
const SLOW = { timeout: 20_000 };

describe.skipIf(skip)('account pages in a real browser', () => {
  const rig = usePlatformAndBrowser();
  const pages = new WatchedPages();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
  }, 240_000);
  afterEach(async () => {
    expect(await pages.closeAll(), 'the browser console reported errors').toEqual([]);
  });

  const openPage = async (viewport?: { width: number; height: number }) =>
    pages.open(await newViewer(rig.browser, rig.platform.url, viewport));

  const { api, login: loginWith } = platformApi(() => rig.platform.url);
  const login = async (email: string, password = PASSWORD) => loginWith(email, password);

  /** The link to `path` in the newest mail to `to`, read from the admin console's mail view. */
  async function mailedLink(to: string, path: string): Promise<string> {
    const admin = await login(rig.platform.admin.email, rig.platform.admin.password);
    let link: string | undefined;
    await expect
      .poll(
        async () => {
          const res = await api('/api/admin/mail', { token: admin.accessToken });
          const { items } = (await res.json()) as { items: { to: string; text: string }[] };
          link = items
            .filter((m) => m.to === to)
            .map((m) => new RegExp(`https?://[^\\s]+${path}\\?token=[A-Za-z0-9_-]+`).exec(m.text)?.[0])
            .find(Boolean);
          return link;
        },
        { timeout: 15_000 },
      )
      .toBeTruthy();
    return new URL(link!).pathname + new URL(link!).search;
  }

  it('shows the account, confirms the address by the mailed link, and signs a device out', async () => {
    const viewer = await signUp(rig.platform.url);
    const { page } = await openPage();
    await signIn(page, viewer);
    await chooseProfile(page);
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Account' }).click();
    await page.waitForURL('**/account');
    await expect.poll(() => page.title(), SLOW).toBe('Account – Marquee');
    await expect.poll(() => page.getByText(viewer.email).count(), SLOW).toBe(1);
    expect(await page.getByText('Not verified').count()).toBe(1);

    // The verification mail's link, opened in this browser.
    await page.goto(await mailedLink(viewer.email, '/verify-email'));
    await expect.poll(() => page.getByRole('status').innerText(), SLOW).toMatch(/confirmed/i);
    await page.goto('/account');
    await expect.poll(() => page.getByText('Verified', { exact: true }).count(), SLOW).toBe(1);

    // Other devices (the API sign-up's session and a phone signed in through the API) are listed;
    // signing them out stops their tokens at once.
    const phone = await login(viewer.email);
    await page.reload();
    const signOutOther = page.getByRole('button', { name: /^Sign out .*last used/ });
    await expect.poll(() => signOutOther.count(), SLOW).toBe(2);
    expect(await page.getByText('This device').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/account-1280.png`, fullPage: true });
    expect((await api('/api/account', { token: phone.accessToken })).status).toBe(200);
    for (const left of [1, 0]) {
      await signOutOther.first().click();
      await expect.poll(() => signOutOther.count(), SLOW).toBe(left);
    }
    expect(await page.getByText('This device').count()).toBe(1);
    const refused = await api('/api/account', { token: phone.accessToken });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('auth.session_ended');
  }, 120_000);

  it('changes the password (other devices out at once) and signs out everywhere', async () => {
    const viewer = await signUp(rig.platform.url);
    const laptop = await login(viewer.email);
    const { page, watch } = await openPage(PHONE);
    watch.allow(/status of 401/);
    await signIn(page, viewer);
    await page.goto('/account');
    await page.getByLabel('Current password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('a new passphrase for this test');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText(), SLOW).toMatch(/Password changed/);
    expect((await api('/api/account', { token: laptop.accessToken })).status).toBe(401);
    await page.screenshot({ path: `${SHOTS}/account-390.png`, fullPage: true });

    // This browser carries on with its new tokens, until it signs out everywhere.
    await page.reload();
    await expect.poll(() => page.getByText(viewer.email).count(), SLOW).toBe(1);
    const stored = await page.evaluate(() => localStorage.getItem('marquee.tokens'));
    const { accessToken } = JSON.parse(stored!) as TokenPair;
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL('**/login');
    expect((await api('/api/account', { token: accessToken })).status).toBe(401);
  }, 120_000);

  it('resets a forgotten password by the mailed link; old refresh tokens are refused', async () => {
    const viewer = await signUp(rig.platform.url);
    const before = await login(viewer.email);
    const { page } = await openPage();
    await page.goto('/forgot-password');
    await expect.poll(() => page.title(), SLOW).toBe('Reset your password – Marquee');
    await page.getByLabel('Email').fill(viewer.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await expect
      .poll(() => page.getByRole('status').innerText(), SLOW)
      .toMatch(/If an account uses this address/);

    await page.goto(await mailedLink(viewer.email, '/reset-password'));
    await page.getByLabel('New password', { exact: true }).fill('the reset passphrase 2026');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Password changed' }).count(), {
        ...SLOW,
        message: 'the reset page did not confirm',
      })
      .toBe(1)
      .catch(async (err: unknown) => {
        throw new Error(`${String(err)}\npage says: ${await pageText(page)}`);
      });
    await page.screenshot({ path: `${SHOTS}/password-reset-1280.png` });

    const refresh = await api('/api/auth/refresh', {
      method: 'POST',
      body: { refreshToken: before.refreshToken },
    });
    expect(refresh.status).toBe(401);
    expect((await api('/api/account', { token: before.accessToken })).status).toBe(401);
    await signIn(page, { email: viewer.email, password: 'the reset passphrase 2026' });
  }, 120_000);
});
