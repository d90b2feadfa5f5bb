import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium, newViewer } from './support/chromium.js';
import { ConsoleWatch } from './support/console.js';
import { reserveOidcProvider, submitAtProvider, type TestOidcProvider } from './support/oidc-provider.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { pageText } from './support/viewer.js';

/**
 * Issue 17 item 3 in a real browser: "Sign in with <provider>" against a real OpenID provider
 * (oidc-provider, a certified implementation) running in this test process, with its development
 * login and consent pages. The first sign-in creates the account, the second reuses it, and the admin
 * role follows the provider's `groups` claim at each sign-in. Passwords are turned off.
 */
const skip = browserSkipReason();
const SLOW = { timeout: 30_000 };

describe.skipIf(skip)('single sign-on in a real browser', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let idp: TestOidcProvider | undefined;
  const contexts: BrowserContext[] = [];
  /** Who the provider says is an admin: the test moves people in and out of the group. */
  const admins = new Set<string>();

  beforeAll(async () => {
    idp = await reserveOidcProvider();
    [platform, browser] = await Promise.all([
      startTestPlatform({
        env: {
          ...idp.env,
          OIDC_ADMIN_CLAIM: 'groups',
          OIDC_ADMIN_VALUE: 'marquee-admins',
          AUTH_LOCAL_PASSWORDS: 'false',
        },
      }),
      launchChromium(),
    ]);
    idp.start(
      platform.url,
      { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
      (id) => ({
        email: id,
        email_verified: true,
        groups: admins.has(id) ? ['marquee-admins', 'staff'] : ['staff'],
      }),
    );
  }, 240_000);
  afterAll(async () => {
    idp?.close();
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await platform?.stop();
  });

  async function signInWithProvider(login: string): Promise<Page> {
    const context = await newViewer(browser, platform.url);
    contexts.push(context);
    const page = await context.newPage();
    new ConsoleWatch(page);
    await page.goto('/login');
    const button = page.getByRole('link', { name: 'Sign in with Test IdP' });
    await expect.poll(() => button.count(), SLOW).toBe(1);
    // Passwords are off: the form has no password field.
    expect(await page.getByLabel('Password').count()).toBe(0);
    await button.click();
    await submitAtProvider(page, login, platform.url);
    await page.waitForURL('**/profiles', SLOW).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nat ${page.url()}, page says: ${await pageText(page)}`);
    });
    return page;
  }

  const account = async (page: Page) =>
    page.evaluate(async () => {
      const { accessToken } = JSON.parse(localStorage.getItem('marquee.tokens')!) as { accessToken: string };
      const res = await fetch('/api/account', { headers: { authorization: `Bearer ${accessToken}` } });
      return (await res.json()) as { accountId: string; email: string; role: string; emailVerified: boolean };
    });

  it('creates the account at the first sign-in and reuses it at the second', async () => {
    const login = `sso-${Date.now()}@idp.test`;
    const first = await account(await signInWithProvider(login));
    expect(first).toMatchObject({ email: login, role: 'viewer', emailVerified: true });
    const second = await account(await signInWithProvider(login));
    expect(second.accountId).toBe(first.accountId);
  }, 180_000);

  it('maps the admin role from the groups claim at each sign-in', async () => {
    const login = `boss-${Date.now()}@idp.test`;
    admins.add(login);
    const page = await signInWithProvider(login);
    expect((await account(page)).role).toBe('admin');
    const admin = await page.evaluate(async () => {
      const { accessToken } = JSON.parse(localStorage.getItem('marquee.tokens')!) as { accessToken: string };
      return (await fetch('/api/admin/mail', { headers: { authorization: `Bearer ${accessToken}` } })).status;
    });
    expect(admin).toBe(200);
    admins.delete(login);
    expect((await account(await signInWithProvider(login))).role).toBe('viewer');
  }, 180_000);

  it('refuses password sign-in and sign-up when passwords are off', async () => {
    for (const path of ['/api/auth/login', '/api/auth/signup']) {
      const res = await fetch(`${platform.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'someone@example.com', password: 'correct horse battery staple' }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { type: string }).type).toContain('auth.local_passwords_disabled');
    }
  });
});
