/**
 * Instructions per request: a server role run under Valgrind's callgrind, its instrumentation off while
 * it starts and warms up (so the JIT has tiered up as it would natively), then on for a fixed number of
 * requests whose instruction count is read from a callgrind dump. Unlike CPU time, an instruction count
 * does not move with the load of other processes on the machine (no time slices lost, no cache or SMT
 * contention counted), so the gateway/proxy ratio can be read off a shared machine. It counts work,
 * not cycles: a cache miss or a syscall's wait costs one instruction here and many cycles in CPU time,
 * so it is a proxy for CPU time, close when both servers do the same kind of work (they do: Node,
 * undici, Fastify, loopback sockets); the kernel's share (the socket writes) is not counted at all.
 * The hardware counters (`perf stat -e instructions`) would be cheaper, but this machine's VM has no PMU.
 *
 *   node packages/cli/bin/run-ts.mjs bench/gateway/instructions.ts   (standalone: gateway vs proxy)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { startRole } from './roles.js';

const run = promisify(execFile);

export interface Instrumented {
  url: string;
  pid: number;
  child: ChildProcess;
  dir: string;
}

/** Whether callgrind can be used here (Valgrind installed). */
export async function callgrindAvailable(): Promise<boolean> {
  try {
    await run('valgrind', ['--version']);
    await run('callgrind_control', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Starts a servers.ts role under callgrind with its instrumentation off; resolves once it listens. */
export function startInstrumented(
  role: string,
  env: Record<string, string>,
  urlKey: string,
): Promise<Instrumented> {
  const dir = mkdtempSync(join(tmpdir(), `marquee-callgrind-${role}-`));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      // V8 writes machine code into anonymous memory: Valgrind must notice code it has already translated
      // being replaced.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(dir, 'cg.%p')}`,
      process.execPath,
      resolve('packages/cli/bin/run-ts.mjs'),
      resolve(import.meta.dirname, 'servers.ts'),
      role,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return new Promise((resolveStarted, reject) => {
    child.once('exit', (code) => reject(new Error(`${role} under callgrind exited with ${code}`)));
    // The server may log (a warning, say) before it prints where it listens.
    createInterface({ input: child.stdout }).on('line', (line) => {
      const url = (JSON.parse(line) as Record<string, string | undefined>)[urlKey];
      if (url) resolveStarted({ url, pid: child.pid!, child, dir });
    });
  });
}

async function control(pid: number, ...args: string[]): Promise<void> {
  await run('callgrind_control', [...args, String(pid)], { timeout: 600_000 });
}

/** The instruction total of the newest dump in `dir` (callgrind writes one file per dump). */
function lastDumpInstructions(dir: string): number {
  const dumps = readdirSync(dir)
    // cg.<pid>.<n> are the dumps; cg.<pid> itself is only the final one, written at exit
    .filter((f) => /\.\d+\.\d+$/.test(f))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
  const text = readFileSync(join(dir, dumps.at(-1)!), 'utf8');
  const line = /^(?:summary|totals):\s*(\d+)/m.exec(text);
  if (!line) throw new Error(`no instruction total in callgrind dump ${dumps.at(-1)}`);
  return Number(line[1]);
}

/**
 * Instructions per request for `requests` requests to `url`, after `warmup` requests with the
 * instrumentation off and a few with it on (Valgrind retranslates the code when it is switched on).
 */
export async function instructionsPerRequest(
  server: Instrumented,
  path: string,
  headers: Record<string, string>,
  { warmup, requests }: { warmup: number; requests: number },
): Promise<number> {
  const url = `${server.url}${path}`;
  const load = (amount: number) => autocannon({ url, connections: 10, amount, headers, timeout: 120 });
  await load(warmup);
  await control(server.pid, '--instr=on');
  await load(Math.min(200, warmup));
  await control(server.pid, '--dump=before'); // counters start again from zero after a dump
  const result = await load(requests);
  await control(server.pid, '--dump=after');
  await control(server.pid, '--instr=off');
  if (result.non2xx + result.errors + result.timeouts > 0)
    throw new Error(`instruction run had failures: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return lastDumpInstructions(server.dir) / result.requests.total;
}

export async function stopInstrumented(server: Instrumented): Promise<void> {
  const exited = new Promise((done) => server.child.once('exit', done));
  server.child.kill('SIGTERM');
  await exited;
  rmSync(server.dir, { recursive: true, force: true });
}

/** Standalone: the gateway's and the bare proxy's instructions per request, in one run. */
async function main(): Promise<void> {
  const warmup = Number(process.env.GATEWAY_BENCH_WARMUP ?? 3_000);
  const requests = Number(process.env.GATEWAY_BENCH_REQUESTS ?? 1_000);
  const upstream = await startRole<{ users: string; token: string }>('upstream');
  const env = { UPSTREAM_URL: upstream.users };
  const [gateway, proxy] = await Promise.all([
    startInstrumented('gateway', env, 'gateway'),
    startInstrumented('proxy', env, 'proxy'),
  ]);
  try {
    const auth = { authorization: `Bearer ${upstream.token}` };
    const g = await instructionsPerRequest(gateway, '/api/account', auth, { warmup, requests });
    const p = await instructionsPerRequest(proxy, '/api/account', auth, { warmup, requests });
    console.log(
      `instructions per request: gateway ${Math.round(g)}, proxy ${Math.round(p)}, ratio ${(g / p).toFixed(2)}`,
    );
  } finally {
    await Promise.all([stopInstrumented(gateway), stopInstrumented(proxy)]);
    upstream.child.kill('SIGTERM');
  }
}

if (process.argv[1] === import.meta.filename) await main();
