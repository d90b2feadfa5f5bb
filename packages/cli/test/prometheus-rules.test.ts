import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './manifests.js';

/**
 * The SLO rules in deploy/prometheus, checked and unit-tested by Prometheus's own promtool (Debian's
 * `prometheus` package, installed by .ci/run): each alert fires on the situation it names, stays quiet
 * on its near miss, and its annotations render.
 */
const run = promisify(execFile);
const RULES_DIR = join(REPO_ROOT, 'deploy/prometheus');
const promtool = await run('promtool', ['--version']).then(
  () => true,
  () => false,
);
if (!promtool)
  console.warn('SKIP promtool rule tests: promtool is not installed (apt-get install prometheus)');

describe.skipIf(!promtool)('deploy/prometheus rules (promtool)', () => {
  it('are valid rule files', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', 'marquee-rules.yaml'], { cwd: RULES_DIR });
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their unit tests', async () => {
    const result = await run('promtool', ['test', 'rules', 'marquee-rules.test.yaml'], {
      cwd: RULES_DIR,
      timeout: 120_000,
    }).catch((err: { stdout?: string; stderr?: string }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    }));
    expect(`${result.stdout}${result.stderr}`).toMatch(/SUCCESS/);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/FAILED/);
  }, 150_000);
});
