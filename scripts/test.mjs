#!/usr/bin/env node
// `npm test`: every vitest project once, then one plain summary line ("N passed, N failed, N skipped")
// that CI reads. Extra arguments go to vitest (e.g. `npm test -- packages/platform`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'marquee-test-'));
const report = join(dir, 'report.json');
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const result = spawnSync('npx', args, { stdio: 'inherit' });
let summary = 'no report written';
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
} catch {
  // vitest crashed before writing its report; its exit code still tells.
}
rmSync(dir, { recursive: true, force: true });
console.log(`\ntests: ${summary}`);
process.exit(result.status ?? 1);
