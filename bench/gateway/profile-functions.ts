/**
 * Where one server role's CPU goes, function by function: the role (gateway or proxy, servers.ts) runs
 * with `--cpu-prof` in front of the trivial upstream, is warmed up, then loaded for PROFILE_SECONDS;
 * prints its profile by owner (profile-summary.ts) and the functions with the most self time, in µs per
 * request. The shares are what to read on a shared machine: the totals move with its load.
 *
 *   node packages/cli/bin/run-ts.mjs bench/gateway/profile-functions.ts gateway   (or proxy)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { children, startRole } from './roles.js';
import { summariseProfile } from './profile-summary.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const role = process.argv[2] ?? 'gateway';
const seconds = Number(process.env.PROFILE_SECONDS ?? 8);
const dir = mkdtempSync(join(tmpdir(), 'marquee-gateway-functions-'));
try {
  const upstream = await startRole<{ users: string; token: string }>('upstream');
  const spawnedAt = Date.now();
  const server = await startRole<Record<string, string>>(role, { UPSTREAM_URL: upstream.users }, [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    '--cpu-prof-interval=200',
  ]);
  const url = `${server[role]}/api/account`;
  const headers = { authorization: `Bearer ${upstream.token}` };
  await autocannon({ url, connections: 20, duration: 4, headers });
  const skipMs = Date.now() - spawnedAt;
  const result = await autocannon({ url, connections: 20, duration: seconds, headers });
  const exited = new Promise((done) => server.child.once('exit', done));
  server.child.kill('SIGTERM');
  await exited;
  const file = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!,
  );
  const requests = result.requests.total;
  console.log(`${role}: ${requests} requests, ${result.non2xx} not 2xx; µs per request by owner:`);
  const owners = summariseProfile(file, requests, skipMs);
  const total = owners.reduce((sum, o) => sum + o.usPerRequest, 0);
  for (const o of owners.slice(0, 25))
    console.log(
      `${o.usPerRequest.toFixed(1).padStart(8)} ${((100 * o.usPerRequest) / total).toFixed(1)} % ${o.category}`,
    );

  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed < skipMs * 1000) continue;
    const { functionName, url: source, lineNumber } = byId.get(profile.samples[i]!)!.callFrame;
    if (functionName === '(idle)') continue;
    const where = source
      .replace(/^.*node_modules\//, '')
      .replace(/^file:\/\/.*?\/(packages|services)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  console.log(`self time, µs per request (total ${total.toFixed(0)}):`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 60))
    console.log(`${(us / requests).toFixed(1).padStart(8)} ${key}`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
