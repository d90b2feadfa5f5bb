import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMarquee } from '../../packages/cli/test/helpers.js';
import { browserSkipReason, newViewer } from './support/chromium.js';
import { ConsoleWatch } from './support/console.js';
import type { TestPlatform } from './support/platform.js';
import { usePlatformAndBrowser } from './support/platform-and-browser.js';
import { signIn } from './support/viewer.js';

const SHOTS = resolve(import.meta.dirname, '../../.artifacts/screenshots');
const skip = browserSkipReason();

/** Runs a `marquee` command against the platform's data directory (and so its default backup target). */
async function marquee(platform: TestPlatform, args: string[]): Promise<string> {
  const m = runMarquee(args, { MARQUEE_DATA_DIR: platform.dataDir, LOG_LEVEL: 'warn' });
  const code = await m.exited;
  if (code !== 0) throw new Error(`marquee ${args.join(' ')} exited ${code}:\n${m.output()}`);
  return m.output();
}

describe.skipIf(skip)('the admin console’s backup panel in a real browser', () => {
  const rig = usePlatformAndBrowser();
  /** The platform's data dir once a backup was taken: its default target (`<dataDir>-backups`) is removed. */
  let dataDir: string | undefined;
  afterAll(() => {
    if (dataDir) rmSync(`${dataDir}-backups`, { recursive: true, force: true });
  });

  it('shows no backup, then the backup `marquee backup` took and the restore test that passed', async () => {
    const context = await newViewer(rig.browser, rig.platform.url, { width: 1280, height: 800 });
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    await signIn(page, rig.platform.admin);
    await page.goto('/admin/health');
    const newest = page.getByTestId('backup-newest');
    const test = page.getByTestId('backup-restore-test');
    await expect.poll(() => newest.innerText()).toMatch(/Last backup\s+none yet/);
    expect(await test.innerText()).toMatch(/Restore test\s+none yet/);

    // Taken and verified by the commands (as a cron job would), while the platform runs.
    dataDir = rig.platform.dataDir;
    await marquee(rig.platform, ['backup']);
    const verified = await marquee(rig.platform, ['backup', 'verify']);
    expect(verified).toMatch(/PASSED/);

    await page.reload();
    await expect
      .poll(() => newest.innerText())
      .toMatch(/Last backup\s+\d+ s ago · [\d.]+ (kB|MB) · took [\d.]+ s/);
    expect(await newest.innerText()).toMatch(/1 kept in .*-backups · every 24\.0 h/);
    await expect
      .poll(() => test.innerText())
      .toMatch(/Restore test\s+passed \d+ s ago · in [\d.]+ s · \d+ checksums verified/);
    expect(await newest.locator('.dot.ok').count()).toBe(1);
    expect(await test.locator('.dot.ok').count()).toBe(1);
    await page.getByRole('heading', { name: 'Backups' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/admin-backups-1280.png`, fullPage: true });
    expect(watch.errors).toEqual([]);
  }, 180_000);
});
