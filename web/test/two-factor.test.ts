import { Secret, TOTP } from 'otpauth';
import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { signUp } from './support/catalog.js';
import { browserSkipReason, newViewer } from './support/chromium.js';
import { ConsoleWatch } from './support/console.js';
import { usePlatformAndBrowser } from './support/platform-and-browser.js';
import { pageText, signIn } from './support/viewer.js';

/**
 * Issue 17 item 2 in a real browser: enrol in two-step sign-in on the account page (scan → first
 * code → recovery codes), sign out, and sign in again with the password and a code. The codes are
 * made with otpauth from the key the page shows, as an authenticator app would.
 */
const skip = browserSkipReason();
const SLOW = { timeout: 20_000 };

describe.skipIf(skip)('two-step sign-in in a real browser', () => {
  const rig = usePlatformAndBrowser();
  let context: BrowserContext | undefined;

  afterAll(async () => {
    await context?.close();
  });

  it('enrols on the account page, signs out, and signs in with a code', async () => {
    const viewer = await signUp(rig.platform.url);
    context = await newViewer(rig.browser, rig.platform.url);
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    // The sign-in page asks for the code after a 200; no error is expected on the way.
    await signIn(page, viewer);
    await page.goto('/account');
    await page.getByLabel('Password to turn it on').fill(viewer.password, { timeout: SLOW.timeout });
    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    const qr = page.getByRole('img', { name: 'QR code to scan with an authenticator app' });
    await expect.poll(() => qr.count(), SLOW).toBe(1);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const secret = Secret.fromBase32((await page.getByLabel('Secret key').innerText()).replace(/\s/g, ''));
    const codeAt = (ms: number) => TOTP.generate({ secret, timestamp: ms, digits: 6, period: 30 });
    await page.getByLabel('Code from the app').fill(codeAt(Date.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await expect
      .poll(() => codes.count(), { ...SLOW, message: 'no recovery codes shown' })
      .toBe(10)
      .catch(async (err: unknown) => {
        throw new Error(`${String(err)}\npage says: ${await pageText(page)}`);
      });
    await expect.poll(() => page.getByText(/recovery codes left/).innerText(), SLOW).toMatch(/10 recovery/);

    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');

    await page.getByLabel('Email').fill(viewer.email);
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Two-step sign-in' }).count(), SLOW).toBe(1);
    // The enrolment spent this 30-second step's code; the next step's code is accepted (one step of
    // clock drift either way), so the test never waits for the clock.
    await page.getByLabel('Code').fill(codeAt(Date.now() + 30_000));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/profiles', { timeout: SLOW.timeout }).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\npage says: ${await pageText(page)}`);
    });
    expect(watch.errors).toEqual([]);
  }, 120_000);
});
