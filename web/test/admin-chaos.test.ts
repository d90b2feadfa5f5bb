import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSkipReason, newViewer } from './support/chromium.js';
import { ConsoleWatch } from './support/console.js';
import { usePlatformAndBrowser } from './support/platform-and-browser.js';
import { signIn } from './support/viewer.js';

const skip = browserSkipReason();

/** A chart like the one `marquee chaos` draws (packages/cli/src/chaos/chart.ts), small. */
const CHART = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120" viewBox="0 0 400 120">
  <rect width="400" height="120" fill="#fff"/><polyline points="0,80 100,40 200,60 300,30 400,50" fill="none" stroke="#1f77b4"/>
  <script>document.title = 'pwned'</script></svg>`;

describe.skipIf(skip)('the admin console’s chaos panel in a real browser', () => {
  const rig = usePlatformAndBrowser();

  it('says no run yet, then shows the latest run’s verdict, table, audit and chart (inert)', async () => {
    const context = await newViewer(rig.browser, rig.platform.url, { width: 1280, height: 800 });
    const page = await context.newPage();
    const watch = new ConsoleWatch(page);
    await signIn(page, rig.platform.admin);
    await page.goto('/admin/chaos');
    await expect.poll(() => page.getByText('No chaos experiment has been run yet').count()).toBe(1);

    // What `marquee chaos` writes with its default --out into the default data directory.
    const dir = join(rig.platform.dataDir, 'chaos');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.svg'), CHART);
    writeFileSync(
      join(dir, 'latest.json'),
      JSON.stringify({
        experiment: 'rolling-restart',
        finishedAt: new Date().toISOString(),
        passed: true,
        replicas: 2,
        viewers: 6,
        rows: [
          { measure: 'failed starts', control: '0.00 %', experiment: '0.00 %', goal: '≤ 0.00 %', met: true },
        ],
        audit: [{ check: 'ratings', expected: 6, found: 6, lost: 0 }],
      }),
    );
    await page.reload();
    const verdict = page.getByTestId('chaos-verdict');
    await expect.poll(() => verdict.innerText()).toMatch(/rolling-restart: PASSED/);
    expect(await page.getByRole('cell', { name: 'failed starts' }).count()).toBe(1);
    const chart = page.getByRole('img', { name: /during rolling-restart/ });
    await expect.poll(() => chart.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(400);
    // An SVG shown as an image runs no script.
    expect(await page.title()).not.toBe('pwned');
    expect(watch.errors).toEqual([]);
  }, 120_000);
});
