import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import type { Page } from 'playwright-core';
import { freePort } from '../../../packages/cli/src/ports.js';

const CLIENT = { id: 'marquee', secret: 'a-test-client-secret-of-some-length-0123456789' };
const SLOW = { timeout: 20_000 };

/**
 * A real OpenID provider (oidc-provider, a certified implementation) in the test process, with its
 * development login and consent pages: any login and password sign in as that login.
 */
export interface TestOidcProvider {
  issuer: string;
  /** The platform's OIDC settings for this provider, shown as "Sign in with Test IdP". */
  env: Record<string, string>;
  /**
   * Starts answering once the platform runs: the client's redirect URI names the platform's port,
   * known only then (users discovers the provider at the first sign-in, so it may start after).
   * `claims` maps scopes to claim names; `claimsOf` gives a signed-in login's claims.
   */
  start(
    platformUrl: string,
    claims: Record<string, string[]>,
    claimsOf: (login: string) => Record<string, unknown>,
  ): void;
  close(): void;
}

/** Reserves the provider's port, so that the platform can be started with its settings. */
export async function reserveOidcProvider(): Promise<TestOidcProvider> {
  const port = await freePort('127.0.0.1');
  const issuer = `http://127.0.0.1:${port}`;
  let server: Server | undefined;
  return {
    issuer,
    env: {
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: CLIENT.id,
      OIDC_CLIENT_SECRET: CLIENT.secret,
      OIDC_NAME: 'Test IdP',
    },
    start(platformUrl, claims, claimsOf) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: CLIENT.id,
            client_secret: CLIENT.secret,
            redirect_uris: [`${platformUrl}/api/auth/oidc/callback`],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        claims,
        findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, ...claimsOf(id) }) }),
        cookies: { keys: ['a-test-cookie-key-0123456789'] },
      });
      server = provider.listen(port);
    },
    close() {
      server?.close();
    },
  };
}

/**
 * Signs in as `login` on the provider's login page `page` is at, and grants consent if the provider
 * asks (it does the first time a scope is granted): waits for the consent page or the return to the
 * platform, whichever comes.
 */
export async function submitAtProvider(page: Page, login: string, platformUrl: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login, SLOW);
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  const consent = page.getByRole('button', { name: 'Continue' });
  const asked = await Promise.race([
    consent.waitFor(SLOW).then(
      () => true,
      () => false,
    ),
    page
      .waitForURL((u) => u.origin === platformUrl, SLOW)
      .then(
        () => false,
        () => false,
      ),
  ]);
  if (asked) await consent.click();
}
