#!/usr/bin/env node
// `npm test`: every vitest project once, then one plain summary line ("N passed, N failed, N skipped")
// that CI reads. Extra arguments go to vitest (e.g. `npm test -- packages/platform`).
//
// Two guards keep a run from hanging CI. Vitest's output passes through this process rather than being
// inherited, so a server a test forgot to stop keeps only our pipe open, never the CI runner's (a leaked
// grandchild holding the runner's stdout made CI wait out its whole 90 minutes on a suite that had
// finished). And every process the run starts carries MARQUEE_TEST_RUN in its environment: whatever still
// carries it once vitest has exited is listed, so the leak is found, and then killed.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'marquee-test-'));
const report = join(dir, 'report.json');
const runId = randomUUID();
// A whole run takes about 15 minutes on two cores; one that is still going after this is stuck.
const limitMs = Number(process.env.MARQUEE_TEST_LIMIT_MINUTES ?? 30) * 60_000;
const runningFile = join(dir, 'running.txt');
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--reporter=${join(import.meta.dirname, 'running-files-reporter.mjs')}`,
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];

const child = spawn('npx', args, {
  stdio: ['inherit', 'pipe', 'pipe'],
  // Its own process group, so that the watchdog (and Ctrl-C, forwarded below) reach vitest's whole tree.
  detached: true,
  env: { ...process.env, MARQUEE_TEST_RUN: runId, MARQUEE_TEST_RUNNING_FILE: runningFile },
});
child.stdout.pipe(process.stdout, { end: false });
child.stderr.pipe(process.stderr, { end: false });
const watchdog = setTimeout(() => {
  console.error(`\nnpm test: still running after ${limitMs / 60_000} minutes; stopping it`);
  let running = '';
  try {
    running = readFileSync(runningFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [since, file] = line.split('\t');
        return `  ${file} (for ${Math.round((Date.now() - Number(since)) / 1000)} s)`;
      })
      .join('\n');
  } catch {
    // no file has started
  }
  console.error(`test files not finished:\n${running || '(none: vitest itself did not exit)'}`);
  listLeftovers('running at the time', false);
  killTree('SIGKILL');
}, limitMs);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => killTree(signal));

function killTree(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// 'exit', not 'close': 'close' waits for every holder of the pipes, which is exactly the hang above.
child.once('exit', (code, signal) => {
  clearTimeout(watchdog);
  child.stdout.unpipe();
  child.stderr.unpipe();
  const leaked = listLeftovers('left running after the tests (killed now)', true);
  let summary = 'no report written';
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const skipped = r.numPendingTests + r.numTodoTests;
    summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
  } catch {
    // vitest crashed before writing its report; its exit code still tells.
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`\ntests: ${summary}${leaked ? `; ${leaked} leaked processes` : ''}`);
  process.exit(code ?? (signal ? 1 : 0));
});

/** Processes (other than vitest's own tree, if it is still up) whose environment carries this run's id. */
function listLeftovers(heading, kill) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return 0; // not Linux: nothing to look through
  }
  const found = [];
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (!environ.includes(`MARQUEE_TEST_RUN=${runId}`)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(pid), cmd });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  if (found.length === 0) return 0;
  console.error(`\nnpm test: ${found.length} processes ${heading}:`);
  for (const { pid, cmd } of found) console.error(`  ${pid} ${cmd.slice(0, 200)}`);
  if (kill) {
    for (const { pid } of found) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  return found.length;
}
