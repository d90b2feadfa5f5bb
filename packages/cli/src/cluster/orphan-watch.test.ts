import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Issue 13: the rig's private engines and replicas are spawned detached; a SIGKILLed rig (no exit hook
 * runs) used to leave them running for good. Here a real rig process starts the private PostgreSQL,
 * Redis and NATS and a supervised replica, is SIGKILLed, and its OrphanWatch must take them all down.
 */

const here = import.meta.dirname;
const rigs: ChildProcess[] = [];
let scratch: string | undefined;

afterEach(async () => {
  for (const rig of rigs.splice(0)) rig.kill('SIGKILL');
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const gone = (pids: number[], limitMs: number) => until(() => !pids.some(alive), limitMs);

async function until(check: () => boolean, limitMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) return Infinity;
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

describe('a SIGKILLed rig', () => {
  it('leaves no private engine, replica or engine data behind', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'marquee-orphans-test-'));
    // A replica that only waits (the supervisor runs `node <entry> start --target=…`).
    const replica = join(scratch, 'replica.mjs');
    await writeFile(replica, 'setInterval(() => {}, 1000);\n');
    const rigScript = join(scratch, 'rig.mts');
    const url = (file: string) => pathToFileURL(resolve(here, file)).href;
    await writeFile(
      rigScript,
      `import { startPrivateEngines } from ${JSON.stringify(url('private-engines.ts'))};
       import { Supervisor } from ${JSON.stringify(url('supervisor.ts'))};
       const engines = await startPrivateEngines();
       const supervisor = new Supervisor({
         restartDelayMs: 1000,
         entry: ${JSON.stringify(replica)},
         orphans: { planFile: ${JSON.stringify(join(scratch, 'plan'))} },
       });
       supervisor.add({ id: 'users-1', service: 'users', ordinal: 1, port: 1, url: 'http://127.0.0.1:1' }, ${JSON.stringify(scratch)}, { PATH: process.env.PATH });
       await new Promise((r) => setTimeout(r, 300));
       const pids = [...Object.values(engines.engines).map((e) => e.pid()), supervisor.get('users-1').pid()];
       console.log(JSON.stringify({ pids }));
       setInterval(() => {}, 1000);
      `,
    );
    const rig = spawn(process.execPath, ['--import', 'tsx', rigScript], {
      cwd: resolve(here, '../../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    rigs.push(rig);
    let out = '';
    rig.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    while (!out.includes('\n')) {
      if (rig.exitCode !== null) throw new Error(`the rig exited: ${out}`);
      if (Date.now() - started > 90_000) throw new Error('the rig did not start its engines in 90 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const { pids } = JSON.parse(out.trim()) as { pids: number[] };
    expect(pids).toHaveLength(4);
    expect(pids.every(alive)).toBe(true);
    // The rig's engine directory: the new one whose plan names its engines.
    const roots: string[] = [];
    for (const dir of await engineRoots()) {
      const plan = await readFile(join(tmpdir(), dir, 'orphan-plan'), 'utf8').catch(() => '');
      if (plan.includes(`kill ${pids[0]}\n`)) roots.push(join(tmpdir(), dir));
    }
    expect(roots).toHaveLength(1);

    rig.kill('SIGKILL');
    await once(rig, 'exit');
    const tookMs = await gone(pids, 10_000);
    console.info(`engines and replica gone ${tookMs} ms after the rig's SIGKILL`);
    expect(tookMs).toBeLessThan(10_000);
    // The engines' data directory went with them.
    // (Removing a PostgreSQL cluster directory takes a moment on a loaded machine.)
    const removedAfterMs = await until(() => !existsSync(roots[0]!), 10_000);
    expect(removedAfterMs).toBeLessThan(10_000);
  }, 150_000);
});

/** The marquee-engines-* directories in the temporary directory now. */
async function engineRoots(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((d) => d.startsWith('marquee-engines-'));
}
