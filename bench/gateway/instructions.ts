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
      // One count per thread: the main thread (the event loop, where the requests are served) apart from
      // V8's compiler and GC helper threads, whose share depends on when the JIT happens to tier up.
      '--separate-threads=yes',
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

/** One counted window: instructions of the main thread and of all threads together. */
export interface WindowCount {
  main: number;
  all: number;
}

/**
 * The instruction totals of dump number `n` in `dir`: with --separate-threads=yes callgrind writes
 * cg.<pid>.<n>-<thread> per thread, thread 01 being the main one.
 */
function dumpInstructions(dir: string, n: number): WindowCount {
  const files = readdirSync(dir).filter((f) => new RegExp(`\\.${n}-\\d+$`).test(f));
  const count = { main: 0, all: 0 };
  for (const file of files) {
    const line = /^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(join(dir, file), 'utf8'));
    if (!line) throw new Error(`no instruction total in callgrind dump ${file}`);
    count.all += Number(line[1]);
    if (file.endsWith('-01')) count.main += Number(line[1]);
  }
  if (files.length === 0) throw new Error(`callgrind wrote no dump ${n} in ${dir}`);
  return count;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface InstructionCount {
  /** Median over the windows, per request: main thread only, and all threads. */
  main: number;
  all: number;
  /** Each window's per-request counts, in order. */
  windows: WindowCount[];
}

/**
 * Instructions per request to `url`: `warmup` requests with the instrumentation off (the JIT tiers up
 * as it would natively), a few with it on (Valgrind retranslates the code when it is switched on),
 * then `windows` counted windows of `requests` requests each; the median window is the figure. A
 * single window moves by tens of per cent with where V8's compiler and the old-generation collector
 * happen to run, so one count cannot show a step of a few per cent.
 */
export async function instructionsPerRequest(
  server: Instrumented,
  path: string,
  headers: Record<string, string>,
  { warmup, requests, windows = 5 }: { warmup: number; requests: number; windows?: number },
): Promise<InstructionCount> {
  const url = `${server.url}${path}`;
  const load = (amount: number) => autocannon({ url, connections: 10, amount, headers, timeout: 120 });
  await load(warmup);
  await control(server.pid, '--instr=on');
  await load(Math.min(500, warmup));
  await control(server.pid, '--dump=before'); // dump 1; counters start again from zero after a dump
  const counted: WindowCount[] = [];
  for (let w = 0; w < windows; w++) {
    const result = await load(requests);
    await control(server.pid, `--dump=window-${w}`);
    if (result.non2xx + result.errors + result.timeouts > 0)
      throw new Error(`instruction run had failures: ${result.non2xx} non-2xx, ${result.errors} errors`);
    const total = dumpInstructions(server.dir, w + 2);
    counted.push({ main: total.main / result.requests.total, all: total.all / result.requests.total });
  }
  await control(server.pid, '--instr=off');
  return {
    main: median(counted.map((c) => c.main)),
    all: median(counted.map((c) => c.all)),
    windows: counted,
  };
}

export async function stopInstrumented(server: Instrumented): Promise<void> {
  const exited = new Promise((done) => server.child.once('exit', done));
  server.child.kill('SIGTERM');
  await exited;
  // GATEWAY_BENCH_KEEP=1 keeps the dumps, for callgrind_annotate (which functions, main thread: *-01).
  if (process.env.GATEWAY_BENCH_KEEP === '1') console.log(`callgrind dumps kept in ${server.dir}`);
  else rmSync(server.dir, { recursive: true, force: true });
}

/**
 * Standalone: the gateway's and the bare proxy's instructions per request, in one run
 * (GATEWAY_BENCH_ROLES=gateway to count one of them, e.g. for a step's before → after).
 */
async function main(): Promise<void> {
  const warmup = Number(process.env.GATEWAY_BENCH_WARMUP ?? 10_000);
  const requests = Number(process.env.GATEWAY_BENCH_REQUESTS ?? 1_000);
  const windows = Number(process.env.GATEWAY_BENCH_WINDOWS ?? 5);
  const roles = (process.env.GATEWAY_BENCH_ROLES ?? 'gateway,proxy').split(',');
  const upstream = await startRole<{ users: string; token: string }>('upstream');
  const env = { UPSTREAM_URL: upstream.users };
  const servers = await Promise.all(roles.map((role) => startInstrumented(role, env, role)));
  try {
    const auth = { authorization: `Bearer ${upstream.token}` };
    const counts: InstructionCount[] = [];
    for (const [i, server] of servers.entries()) {
      const count = await instructionsPerRequest(server, '/api/account', auth, { warmup, requests, windows });
      counts.push(count);
      const each = count.windows.map((w) => `${Math.round(w.main)}/${Math.round(w.all)}`).join(', ');
      console.log(
        `${roles[i]}: ${Math.round(count.main)} main thread, ${Math.round(count.all)} all threads ` +
          `per request (median of ${windows} × ${requests}; windows main/all: ${each})`,
      );
    }
    if (counts.length === 2)
      console.log(
        `ratio ${roles[0]}/${roles[1]}: ${(counts[0]!.main / counts[1]!.main).toFixed(2)} main thread, ` +
          `${(counts[0]!.all / counts[1]!.all).toFixed(2)} all threads`,
      );
  } finally {
    await Promise.all(servers.map(stopInstrumented));
    upstream.child.kill('SIGTERM');
  }
}

if (process.argv[1] === import.meta.filename) await main();
