import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openMediaTools } from '@marquee/encoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processGroupAlive, runMarquee, tempDataDir, waitFor, type Spawned } from '../../test/helpers.js';
import { ingest, login } from '../ingest.js';
import { freePort } from '../ports.js';
import type { LoadReport } from './report.js';

const run = promisify(execFile);
const ADMIN = { email: 'admin@load.test', password: 'admin passphrase for load' };

/** The real platform (`marquee start`, one process) with one encoded title, as an operator would have it. */
describe('marquee load against the real platform', () => {
  let platform: Spawned;
  let gateway: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDataDir();
    const port = await freePort('127.0.0.1');
    gateway = `http://127.0.0.1:${port}`;
    platform = runMarquee(['start'], {
      MARQUEE_PORT: String(port),
      MARQUEE_DATA_DIR: dataDir,
      MARQUEE_DEMO: 'false',
      MARQUEE_ADMIN_EMAIL: ADMIN.email,
      MARQUEE_ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
    });
    const tools = await openMediaTools({ searchPath: process.env.PATH ?? '' });
    const clip = join(dataDir, 'clip.mp4');
    await run(tools.binaries.ffmpeg, [
      ...['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=24'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000', '-t', '12'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip],
    ]);
    await waitFor(
      async () => ((await fetch(`${gateway}/readyz`)).status === 200 ? true : undefined),
      90_000,
      `readyz (output so far:\n${platform.output()})`,
    );
    const token = await login(gateway, ADMIN.email, ADMIN.password);
    const result = await ingest({ file: clip, title: 'Harbor Lights', gateway, token });
    expect(result.state, result.reason).toBe('ready');
  }, 240_000);

  afterAll(async () => {
    if (platform?.child.pid && processGroupAlive(platform.child.pid)) {
      process.kill(-platform.child.pid, 'SIGINT');
      await Promise.race([platform.exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (processGroupAlive(platform.child.pid)) process.kill(-platform.child.pid, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('plays, and its report accounts for every start with no errors', async () => {
    const load = runMarquee(
      ['load', '--base', gateway, '--viewers', '4', '--duration', '8s', '--ramp', '1s', '--watch', '3s'],
      {},
    );
    await load.exited;
    const out = load.output();
    // Live progress, then the table.
    expect(out).toMatch(/viewers \d+\/4 · playing/);
    expect(out).toMatch(/stream starts per second \(SPS\)/);
    expect(out).toMatch(/rebuffers · ratio/);
    expect(load.child.exitCode, out).toBe(0);
  }, 120_000);

  it('--json carries the same figures, consistent with each other', async () => {
    const load = runMarquee(
      ['load', '--base', gateway, '--viewers', '3', '--duration', '6s', '--ramp', '1s', '--json', '--quiet'],
      {},
    );
    await load.exited;
    const out = load.output();
    const report = JSON.parse(out.slice(out.indexOf('{'))) as LoadReport;
    expect(report.errors, out).toEqual({});
    expect(report.errorCount).toBe(0);
    expect(report.starts.playing).toBeGreaterThan(0);
    expect(report.starts.attempted).toBe(
      report.starts.playing + report.starts.refused + report.starts.failed,
    );
    expect(report.startLatencyMs.p50).toBeGreaterThan(0);
    expect(report.segments).toBeGreaterThan(0);
    expect(report.requests.media).toBe(report.segments);
    expect(report.mediaBytes).toBeGreaterThan(0);
    expect(report.requests.api).toBeGreaterThan(0);
    expect(report.rebuffer.playedSeconds).toBeGreaterThan(0);
    expect(report.rebuffer.ratio).toBeGreaterThanOrEqual(0);
    expect(report.viewersReady).toBe(3);
    // The platform process was found by the port it listens on; the loader measured itself.
    expect(report.cpu.processes.map((p) => p.pid)).toContain(platform.child.pid);
    expect(report.cpu.loader.seconds).toBeGreaterThan(0);
  }, 120_000);

  it('refuses a base URL that is not loopback', async () => {
    const load = runMarquee(['load', '--base', 'http://192.0.2.10:8080', '--viewers', '1'], {});
    expect(await load.exited).toBe(1);
    expect(load.output()).toMatch(/--allow-remote/);
  }, 120_000);
});
