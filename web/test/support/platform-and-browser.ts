import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './chromium.js';
import { startTestPlatform, type TestPlatform } from './platform.js';

export interface PlatformAndBrowser {
  readonly platform: TestPlatform;
  readonly browser: Browser;
}

/**
 * A platform and a Chromium for the describe block it is called in: started together in its beforeAll
 * (`timeoutMs`, 240 s by default: the first start may build the web app on a loaded machine), closed in
 * its afterAll, the browser first. Whichever started is closed even when the other failed to. Read
 * `platform` and `browser` in tests and hooks, not while the block is collected.
 *
 * @example
 *   const rig = usePlatformAndBrowser();
 *   it('signs in', async () => { const context = await newViewer(rig.browser, rig.platform.url); … });
 */
export function usePlatformAndBrowser(
  options: { platform?: Parameters<typeof startTestPlatform>[0]; timeoutMs?: number } = {},
): PlatformAndBrowser {
  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    const [started, launched] = await Promise.allSettled([
      startTestPlatform(options.platform),
      launchChromium(),
    ]);
    if (started.status === 'fulfilled') platform = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
  }, options.timeoutMs ?? 240_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });
  return {
    get platform() {
      if (!platform) throw new Error('the platform starts in beforeAll');
      return platform;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
  };
}
