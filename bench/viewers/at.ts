/**
 * bench/viewers at fixed viewer counts: one layout, the same trial as `npm run bench:viewers` (30 s, a
 * third of it ramp, 4 viewers per premium account, each viewer from its own address), at the counts
 * given, with each trial's errors and refusals by kind and problem code, and the CPU of each platform
 * process. For finding what fails at a count without the whole doubling/bisection, and on a busy
 * machine for comparisons within one run. Records nothing.
 *
 *   node packages/cli/bin/run-ts.mjs bench/viewers/at.ts
 *     VIEWERS_AT_LAYOUT=a|b  VIEWERS_AT_COUNTS=400,400  VIEWERS_AT_TRIAL_S=30
 *     VIEWERS_AT_DIR=/tmp/x   keeps the data directory (the encoded title) for the next run
 *     VIEWERS_AT_PROFILE=dir  every platform process writes a V8 CPU profile (.cpuprofile) there on exit
 *     VIEWERS_AT_REUSE_ACCOUNTS=1  every trial on the same accounts (bench:viewers did until 2026-12-07:
 *                             slots a failed trial left held refused the next trial's starts)
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Account } from '../../packages/cli/src/load/api.js';
import { parseLoadOptions } from '../../packages/cli/src/load/options.js';
import { runLoad } from '../../packages/cli/src/load/run.js';
import { encodeTitle, type EncodedTitle } from './media.js';
import { startPlatform } from './platform.js';

const env = process.env;
const LAYOUT = env.VIEWERS_AT_LAYOUT === 'a' ? 'one' : 'split';
const COUNTS = (env.VIEWERS_AT_COUNTS ?? '400').split(',').map(Number);
const TRIAL_S = Number(env.VIEWERS_AT_TRIAL_S ?? 30);
const PROFILE = env.VIEWERS_AT_PROFILE ? resolve(env.VIEWERS_AT_PROFILE) : undefined;
const REUSE = env.VIEWERS_AT_REUSE_ACCOUNTS === '1';

async function main() {
  const kept = env.VIEWERS_AT_DIR ? resolve(env.VIEWERS_AT_DIR) : undefined;
  const dir = kept ?? (await mkdtemp(join(tmpdir(), 'marquee-viewers-at-')));
  await mkdir(dir, { recursive: true });
  const dataDir = join(dir, 'data');
  const saved = join(dir, 'title.json');
  let secret: string;
  if (existsSync(saved)) {
    secret = (JSON.parse(await readFile(saved, 'utf8')) as { secret: string }).secret;
  } else {
    secret = randomBytes(32).toString('hex');
    const p = await startPlatform('one', dataDir, secret);
    try {
      const title: EncodedTitle = await encodeTitle(dir, p.gateway, [...p.processes.keys()][0]!, 60);
      await writeFile(saved, JSON.stringify({ secret, title }));
    } finally {
      await p.stop();
    }
  }
  if (PROFILE) await mkdir(PROFILE, { recursive: true });
  const platform = await startPlatform(LAYOUT, dataDir, secret, {
    ...(PROFILE ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] } : {}),
  });
  const shared: Account[] = [];
  try {
    for (const viewers of COUNTS) {
      const options = parseLoadOptions([
        ...['--base', platform.gateway, '--duration', `${TRIAL_S}s`, '--ramp', `${Math.round(TRIAL_S / 3)}s`],
        ...['--quiet', '--plan', 'premium', '--viewers-per-account', '4', '--seed', '7'],
      ]);
      // On the monotonic clock V8's profiles use, to cut a profile to the trial past its sign-ups (µs).
      let from: bigint | undefined;
      const r = await runLoad(
        { ...options, viewers, pids: [...platform.processes.keys()] },
        {
          accounts: REUSE ? shared : [],
          signInFirst: true,
          onProgress: () => (from ??= process.hrtime.bigint() / 1000n - 1_000_000n),
        },
      );
      if (PROFILE)
        console.log(`  trial on the profile's clock: ${from}–${process.hrtime.bigint() / 1000n} µs`);
      const cpu = r.cpu.processes
        .map((p) => `${platform.processes.get(p.pid) ?? p.name} ${Math.round(p.share * 100)} %`)
        .join(', ');
      console.log(
        [
          `${LAYOUT} ${viewers} viewers: starts ${r.starts.attempted} (playing ${r.starts.playing}, refused ${r.starts.refused}, failed ${r.starts.failed})`,
          `  start p95 ${r.startLatencyMs.p95} ms, p99 ${r.startLatencyMs.p99} ms, rebuffer ${(r.rebuffer.ratio * 100).toFixed(3)} %, SPS ${r.sps}`,
          `  errors ${r.errorCount}: ${JSON.stringify(r.errors)}`,
          `  refusals: ${JSON.stringify(r.refusals)}`,
          `  CPU: loader ${Math.round(r.cpu.loader.share * 100)} %, ${cpu}; load ${r.machine.loadavgStart[0]} → ${r.machine.loadavgEnd[0]}`,
        ].join('\n'),
      );
    }
  } finally {
    await platform.stop();
    if (!kept) await rm(dir, { recursive: true, force: true });
  }
}

await main();
