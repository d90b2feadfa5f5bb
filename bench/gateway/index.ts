/**
 * Gateway benchmark: what the gateway costs per request. On loopback, with autocannon in this process
 * and each server in its own child process, it measures (a) a bare Fastify hello-world, (b) the trivial
 * upstream route hit directly, (c) the same route through the gateway with a bearer token (token
 * verification, rate-limit counters, concurrency limiter, breaker, proxy) and, for scale, (d) the same
 * route through the least a Node proxy can be; then (c) at a fixed 1,000 req/s for its latency. Besides
 * rates it reports the server processes' CPU time per request, which other load on the machine moves
 * far less than rates and latencies. Writes the `## Gateway` section of docs/benchmarks.md.
 *
 *   npm run bench:gateway     (GATEWAY_BENCH_SECONDS=5 GATEWAY_BENCH_ROUNDS=1 for a quick run)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { thousands, writeSection } from '../events/report.js';

const seconds = Number(process.env.GATEWAY_BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.GATEWAY_BENCH_ROUNDS ?? 2);
const connections = 50;
const children: ChildProcess[] = [];

/** Starts a servers.ts role; resolves its pid and the JSON line it prints once listening. */
function startRole<T>(role: string, env: Record<string, string> = {}): Promise<T & { pid: number }> {
  const child = spawn(
    process.execPath,
    [resolve('packages/cli/bin/run-ts.mjs'), resolve(import.meta.dirname, 'servers.ts'), role],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolveLine, reject) => {
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolveLine({ ...(JSON.parse(line) as T), pid: child.pid! }),
    );
  });
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

interface Case {
  name: string;
  url: string;
  headers?: Record<string, string>;
  rate?: number;
  /** The processes that serve this case, whose CPU per request is reported. */
  pids: number[];
}

interface Figures {
  /** Successful (2xx) answers per second: shed or failed requests do not count as throughput. */
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  /** Server CPU per answered request, µs, per process of the case. */
  cpu: number[];
}

async function measure(c: Case): Promise<Figures> {
  const before = c.pids.map(cpuSeconds);
  const result = await autocannon({
    url: c.url,
    connections: c.rate ? 20 : connections,
    duration: seconds,
    headers: c.headers,
    ...(c.rate ? { overallRate: c.rate } : {}),
  });
  const answered = Math.max(1, result.requests.total);
  return {
    rps: Math.round(result['2xx'] / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    cpu: c.pids.map((pid, i) => Math.round(((cpuSeconds(pid) - before[i]!) * 1e6) / answered)),
  };
}

/**
 * Each case runs ROUNDS times, interleaved with the others, and the best round counts (highest rate,
 * or lowest p99 for the fixed-rate case): on a machine shared with other work this compares the cases
 * under similar conditions rather than whichever ran during someone else's test suite.
 */
async function runAll(cases: Case[]): Promise<Figures[]> {
  const best = new Map<string, Figures>();
  for (const c of cases) await autocannon({ url: c.url, connections, duration: 2, headers: c.headers }); // warm-up
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of cases) {
      const f = await measure(c);
      console.log(
        `round ${round} ${c.name}: ${thousands(f.rps)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, ` +
          `${f.failures} failed, CPU ${f.cpu.join(' + ')} µs/req`,
      );
      const prev = best.get(c.name);
      if (!prev || (c.rate ? f.p99 < prev.p99 : f.rps > prev.rps)) best.set(c.name, f);
    }
  }
  return cases.map((c) => best.get(c.name)!);
}

const load = () => loadavg()[0]!.toFixed(1);
const loadBefore = load();
try {
  const upstream = await startRole<{ hello: string; users: string; token: string }>('upstream');
  const { gateway, pid: gatewayPid } = await startRole<{ gateway: string }>('gateway', {
    UPSTREAM_URL: upstream.users,
  });
  const { proxy, pid: proxyPid } = await startRole<{ proxy: string }>('proxy', {
    UPSTREAM_URL: upstream.users,
  });
  const auth = { authorization: `Bearer ${upstream.token}` };
  const route = '/api/account';

  const [bare, direct, through, floor, steady] = (await runAll([
    { name: '(a) bare Fastify hello-world', url: upstream.hello, pids: [upstream.pid] },
    { name: '(b) trivial route, direct', url: `${upstream.users}${route}`, pids: [upstream.pid] },
    {
      name: '(c) through the gateway',
      url: `${gateway}${route}`,
      headers: auth,
      pids: [gatewayPid, upstream.pid],
    },
    { name: '(d) through a bare undici proxy', url: `${proxy}${route}`, pids: [proxyPid, upstream.pid] },
    {
      name: '(c) at 1,000 req/s',
      url: `${gateway}${route}`,
      headers: auth,
      rate: 1_000,
      pids: [gatewayPid, upstream.pid],
    },
  ])) as [Figures, Figures, Figures, Figures, Figures];
  const ratio = through.rps / bare.rps;
  console.log(`ratio c/a: ${ratio.toFixed(2)} (goal >= 0.4); d/a: ${(floor.rps / bare.rps).toFixed(2)}`);

  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ${process.platform}`;
  const row = (name: string, f: Figures, vsBare: string, cpu: string) =>
    `| ${name} | ${thousands(f.rps)} | ${f.p50} | ${f.p99} | ${vsBare} | ${cpu} | ${f.failures} |`;
  await writeSection(
    resolve('docs/benchmarks.md'),
    'Gateway',
    [
      `Reproduce: \`npm run bench:gateway\` (\`GATEWAY_BENCH_SECONDS=5 GATEWAY_BENCH_ROUNDS=1\` for a quick run).`,
      `Machine: ${machine}; 1-minute load average ${loadBefore} before the run and ${load()} after (other work`,
      'shares the two cores: rates and tail latencies move with it, CPU per request much less). Loopback only;',
      'autocannon in the bench process, each server in its own child process; ' +
        `${connections} connections, ${seconds} s per run after a 2 s warm-up, best of ${ROUNDS} interleaved rounds;`,
      'req/s counts 2xx answers. The gateway runs its default tuning except the rate limits, raised so that one',
      'address can load it (both counters are still taken on every request, in the in-process cache).',
      '',
      '| run | req/s | p50 ms | p99 ms | vs (a) | server CPU µs/req | failed |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      row('(a) bare Fastify hello-world', bare, '1.00', `${bare.cpu[0]}`),
      row('(b) trivial users route, direct', direct, (direct.rps / bare.rps).toFixed(2), `${direct.cpu[0]}`),
      row(
        '(c) same route through the gateway, bearer token',
        through,
        ratio.toFixed(2),
        `${through.cpu[0]} gateway + ${through.cpu[1]} upstream`,
      ),
      row(
        '(d) same route through a bare Fastify + undici proxy',
        floor,
        (floor.rps / bare.rps).toFixed(2),
        `${floor.cpu[0]} proxy + ${floor.cpu[1]} upstream`,
      ),
      row('(c) at a fixed 1,000 req/s (20 connections)', steady, '—', `${steady.cpu[0]} gateway`),
      '',
      `Goals: (c)/(a) ≥ 0.4 — measured ${ratio.toFixed(2)}; p99 ≤ 20 ms at 1,000 req/s — measured ${steady.p99} ms.`,
      '',
      `Where the CPU goes: a proxied call is one more HTTP exchange on loopback than (a). The least a Node`,
      `proxy can do, (d), already spends ${floor.cpu[0]} µs per call against ${bare.cpu[0]} µs for the whole of (a),`,
      `and reaches ${(floor.rps / bare.rps).toFixed(2)} of (a)'s rate; the gateway's own work (a token check from`,
      'its verified-token cache, two rate-limit counters, path normalisation and routing, the adaptive limiter,',
      'breaker and bulkhead, the headers it adds and filters, the per-request context and metrics of the',
      `server factory) adds ${through.cpu[0]! - floor.cpu[0]!} µs. A ratio of 0.4 would need the whole gateway to cost`,
      'less than that bare proxy does on this machine. The p99 at 1,000 req/s follows the load other work puts',
      'on the machine (the gateway needs a fifth of a core for that rate); compare the per-round lines printed.',
    ].join('\n'),
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
}
