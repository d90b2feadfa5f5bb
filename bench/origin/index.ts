/**
 * bench/origin: how much traffic an edge keeps off the origin. One Zipf-popular viewing trace
 * (trace.ts) over a catalog several times larger than the disk budget is replayed against (a) Debian's
 * nginx with proxy_cache and (b) Marquee edges — plain LRU, and with TinyLFU admission to the disk
 * tier — with the same disk budget and the same origin, in the same run; then the hit path of each is
 * measured with wrk. Belady's rule over the same trace gives the limit an oracle would reach.
 *
 *   npm run bench:origin   (ORIGIN_BENCH_TITLES=400, _REQUESTS=20000, _ZIPF=0.9, _TIER=0.15, _SEED=1,
 *                           _SECONDS=8 per wrk round, _ROUNDS=3, _WRITE=0 to leave docs alone)
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { createMediaKeyring } from '@marquee/core';
import { createTestContext } from '@marquee/platform/testing';
import { buildEdge } from '@marquee/edge';
import { NGINX } from '../edge/nginx.js';
import { runWrk, type WrkResult } from '../edge/wrk.js';
import { writeSection } from '../events/report.js';
import { beladyByteHitRatio } from './belady.js';
import { sampleDiskUsage } from './disk-usage.js';
import { startNginxCache } from './nginx-cache.js';
import { startBenchOrigin } from './origin.js';
import { replay } from './replay.js';
import { simulateEdge } from './simulate.js';
import { makeTrace, type Trace } from './trace.js';
import { TinyLfuAdmission } from '../../services/edge/src/cache/admission.js';
import { ViewingPopularity } from '../../services/edge/src/cache/viewing-popularity.js';

const env = (name: string, fallback: number) => Number(process.env[`ORIGIN_BENCH_${name}`] ?? fallback);
const TITLES = env('TITLES', 400);
const REQUESTS = env('REQUESTS', 20_000);
const ZIPF = env('ZIPF', 0.9);
const TIER = env('TIER', 0.15);
const SEED = env('SEED', 1);
const SECONDS = env('SECONDS', 8);
const ROUNDS = env('ROUNDS', 3);
/** The edge's disk policies to replay, in order (each is a fresh edge; the last one is measured by wrk). */
const POLICIES = (process.env.ORIGIN_BENCH_POLICIES ?? 'lru,tinylfu,popularity').split(',') as DiskPolicy[];
type DiskPolicy = 'lru' | 'tinylfu' | 'popularity';
const POLICY_NAMES: Record<DiskPolicy, string> = {
  lru: 'Marquee edge, LRU disk tier',
  tinylfu: 'Marquee edge, TinyLFU admission',
  popularity: 'Marquee edge, viewing-popularity replacement (default)',
};
const IN_FLIGHT = 8;
const HOT_OBJECTS = 32;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const trace = makeTrace({
    seed: SEED,
    titles: TITLES,
    segments: [10, 40],
    segmentBytes: [32 * 1024, 96 * 1024],
    zipf: ZIPF,
    concurrentViewers: 64,
    requests: REQUESTS,
  });
  const diskBytes = Math.floor(trace.catalogBytes * TIER);
  const ramBytes = Math.floor(diskBytes * 0.05);
  const load = [loadavg()[0]!];
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-origin-'));
  const ctx = await createTestContext();
  const origin = await startBenchOrigin(trace, ctx.secret);
  ctx.urls.storage = [origin.url];
  const nginxPort = await freePort();
  const nginx = await startNginxCache({ dir, port: nginxPort, origin: origin.url, maxBytes: diskBytes });
  const nginxCacheDir = join(dir, 'nginx-cache', 'cache');
  const edges = await Promise.all(
    POLICIES.map(async (diskPolicy) => {
      const edgeId = `bench-${diskPolicy}`;
      const module = await buildEdge(ctx, {
        standalone: true,
        identity: { edgeId, url: 'http://127.0.0.1:1' },
        diskBytes,
        ramBytes,
        diskPolicy,
      });
      await module.app.listen({ port: 0, host: '127.0.0.1' });
      await module.start();
      return {
        policy: diskPolicy,
        module,
        url: `http://127.0.0.1:${(module.app.server.address() as AddressInfo).port}`,
      };
    }),
  );
  const keys = createMediaKeyring({ secret: ctx.secret });
  // Each view is a playback session with its own token, as each viewer's player has.
  const tokens = new Map<string, string>();
  const edgePath = (key: string, view: number | string) => {
    const [, asset, path] = /^assets\/([^/]+)\/(.+)$/.exec(key)!;
    const session = `view-${view}`;
    let token = tokens.get(`${asset}/${session}`);
    if (!token) {
      token = keys.sign({
        asset: asset!,
        session,
        maxHeight: 2160,
        exp: Math.floor(Date.now() / 1000) + 7200,
      });
      tokens.set(`${asset}/${session}`, token);
    }
    return `/t/${token}/a/${asset}/${path}`;
  };
  const edgePaths = trace.requests.map((key, i) => edgePath(key, trace.viewOf[i]!));
  try {
    // 1. Replay the trace against each cache; the origin counts the segment bytes each one fetched.
    const offload: {
      name: string;
      originBytes: number;
      seconds: number;
      errors: number;
      disk: { mean: number; peak: number };
    }[] = [];
    const measure = async (
      name: string,
      base: string,
      paths: string[],
      counter: 'edge' | 'nginx',
      cacheDir: string,
    ) => {
      const before = origin.segmentBytes[counter];
      const usage = sampleDiskUsage(cacheDir);
      const run = await replay({ base, paths, inFlight: IN_FLIGHT });
      offload.push({
        name,
        originBytes: origin.segmentBytes[counter] - before,
        seconds: run.seconds,
        errors: run.errors,
        disk: await usage.stop(),
      });
      console.log(
        `${name}: ${mb(origin.segmentBytes[counter] - before)} MB from the origin, ${run.seconds.toFixed(1)} s`,
      );
    };
    await measure(
      '(a) nginx proxy_cache',
      `http://127.0.0.1:${nginxPort}`,
      trace.requests.map((k) => `/${k}`),
      'nginx',
      nginxCacheDir,
    );
    // nginx's cache manager trims to max_size after the fact: while the cache is under it, the manager
    // sleeps up to 10 s between checks (ngx_http_file_cache_expire caps its wait at 10 s with a long
    // `inactive`), so its files outgrow max_size by about what the replay fills in 10 s — more the faster
    // the replay runs. A second nginx, its max_size lowered by the overshoot measured (at most three
    // tries), keeps about the budget on disk on average, as the edge does (the edge evicts before it
    // writes), so the two are compared at the same disk actually used.
    let held: { maxBytes: number; mean: number } = { maxBytes: diskBytes, mean: offload[0]!.disk.mean };
    for (let attempt = 1; attempt <= 3 && held.mean > diskBytes * 1.05; attempt++) {
      const maxBytes = Math.max(
        Math.floor(diskBytes * 0.1),
        Math.floor(held.maxBytes - (held.mean - diskBytes)),
      );
      const heldDir = join(dir, `held-${attempt}`);
      const heldPort = await freePort();
      const nginxHeld = await startNginxCache({ dir: heldDir, port: heldPort, origin: origin.url, maxBytes });
      try {
        await measure(
          `(a′) nginx proxy_cache, max_size ${mb(maxBytes)} MB (held to the budget, try ${attempt})`,
          `http://127.0.0.1:${heldPort}`,
          trace.requests.map((k) => `/${k}`),
          'nginx',
          join(heldDir, 'nginx-cache', 'cache'),
        );
      } finally {
        await nginxHeld.stop();
      }
      held = { maxBytes, mean: offload.at(-1)!.disk.mean };
    }
    const edgeDir = (id: string) => join(ctx.dataDir, `edge-${id}`);
    for (const [i, edge] of edges.entries()) {
      await measure(
        `(${String.fromCharCode(98 + i)}) ${POLICY_NAMES[edge.policy]}`,
        edge.url,
        edgePaths,
        'edge',
        edgeDir(`bench-${edge.policy}`),
      );
    }
    const belady = beladyByteHitRatio(trace.requests, trace.sizes, diskBytes);
    load.push(loadavg()[0]!);

    // 2. The hit path: the most requested objects, held by both, under wrk; rounds alternate.
    const counts = new Map<string, number>();
    for (const key of trace.requests) counts.set(key, (counts.get(key) ?? 0) + 1);
    const hot = [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, HOT_OBJECTS)
      .map(([key]) => key);
    const measured = edges.at(-1)!;
    const tiny = measured.url;
    for (const key of hot) {
      for (const url of [
        `http://127.0.0.1:${nginxPort}/${key}`,
        `${tiny}${edgePath(key, `hot-${hot.indexOf(key)}`)}`,
      ]) {
        for (let i = 0; i < 2; i++) await (await request(url)).body.dump();
      }
    }
    const hits = await Promise.all([
      ...hot.map(async (key) => (await request(`http://127.0.0.1:${nginxPort}/${key}`)).headers['x-cache']),
      ...hot.map(
        async (key) =>
          (await request(`${tiny}${edgePath(key, `hot-${hot.indexOf(key)}`)}`)).headers['x-cache'],
      ),
    ]);
    const allHits = hits.every((h) => h === 'HIT' || h === 'HIT-RAM' || h === 'HIT-DISK');
    const before = { ...origin.segmentBytes };
    const nginxRuns: WrkResult[] = [];
    const edgeRuns: WrkResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const wrk = (base: string, paths: string[]) =>
        runWrk({ base, paths, dir, threads: 2, connections: 50, seconds: SECONDS });
      nginxRuns.push(
        await wrk(
          `http://127.0.0.1:${nginxPort}`,
          hot.map((k) => `/${k}`),
        ),
      );
      edgeRuns.push(
        await wrk(
          tiny,
          hot.map((key) => edgePath(key, `hot-${hot.indexOf(key)}`)),
        ),
      );
      console.log(
        `round ${round + 1}: nginx ${nginxRuns[round]!.requestsPerSecond.toFixed(0)} req/s, edge ${edgeRuns[round]!.requestsPerSecond.toFixed(0)} req/s`,
      );
    }
    const hitPathOriginBytes =
      origin.segmentBytes.edge - before.edge + origin.segmentBytes.nginx - before.nginx;
    load.push(loadavg()[0]!);

    const nginxVersion = spawnSync(NGINX, ['-v'], { encoding: 'utf8' })
      .stderr.replace('nginx version: ', '')
      .trim();
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ${nginxVersion}`;
    const ratioOf = (originBytes: number) => 1 - originBytes / trace.requestedBytes;
    const byName = (prefix: string) => offload.find((o) => o.name.startsWith(prefix))!;
    const a = byName('(a)');
    // The measured edge: the last policy replayed (the default, popularity, unless told otherwise).
    const c = offload.at(-1)!;
    const mark = c.name.slice(0, 3);
    const lru = offload.find((o) => o.name.includes('LRU disk tier'));
    const offline = offlineRatios(trace, diskBytes, ramBytes);
    // The held nginx whose mean disk came closest to the budget.
    const aHeld = offload
      .filter((o) => o.name.startsWith('(a′)'))
      .sort((x, y) => Math.abs(x.disk.mean - diskBytes) - Math.abs(y.disk.mean - diskBytes))[0];
    const nginxRps = mean(nginxRuns.map((r) => r.requestsPerSecond));
    const edgeRps = mean(edgeRuns.map((r) => r.requestsPerSecond));
    const perRound = edgeRuns.map((r, i) =>
      (r.requestsPerSecond / nginxRuns[i]!.requestsPerSecond).toFixed(2),
    );
    const points = (ratioOf(c.originBytes) - ratioOf(a.originBytes)) * 100;
    const report = [
      `Reproduce: \`npm run bench:origin\`. Machine: ${machine}; 1-minute load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
      '(start → after the replays → after wrk; other work shares the 2 cores).',
      '',
      `Trace (seed ${SEED}): ${TITLES} titles of 10–40 segments (32–96 KiB each, one bitrate per title), chosen by`,
      `a Zipf law (s = ${ZIPF}); 64 viewers at once, each view from the start (85 %) or a resume point, for the`,
      `whole title (30 %) or a uniform share of it; ${REQUESTS.toLocaleString('en-US')} segment requests, ${mb(trace.requestedBytes)} MB asked for, over a catalog`,
      `of ${mb(trace.catalogBytes)} MB. Disk budget ${mb(diskBytes)} MB (${(TIER * 100).toFixed(0)} % of the catalog) for each cache: nginx`,
      '`proxy_cache_path … max_size`, the edge `EDGE_DISK_BYTES`; the edge also has a RAM tier of 5 % of that',
      `(${mb(ramBytes)} MB; nginx has the page cache). Both fill from the same origin and replay the same requests in`,
      `order, ${IN_FLIGHT} at a time. Byte hit ratio = 1 − segment bytes the origin sent / bytes asked for.`,
      '',
      '| cache | byte hit ratio | origin bytes | on disk, mean / peak | replay time | errors |',
      '| --- | --- | --- | --- | --- | --- |',
      ...offload.map(
        (o) =>
          `| ${o.name} | ${pct(ratioOf(o.originBytes))} | ${mb(o.originBytes)} MB | ${mb(o.disk.mean)} / ${mb(o.disk.peak)} MB | ${o.seconds.toFixed(1)} s | ${o.errors} |`,
      ),
      `| (l) limit: Belady (furthest next use, bypass), offline | ${pct(belady)} | ${mb(trace.requestedBytes * (1 - belady))} MB | ≤ ${mb(diskBytes)} MB | | |`,
      '',
      `Marquee ${mark} against nginx (a): **${points >= 0 ? '+' : ''}${points.toFixed(1)} points** of byte hit ratio, ${mb(a.originBytes - c.originBytes)} MB less`,
      `from the origin${
        lru && lru !== c
          ? `; against the same edge with plain LRU: ${((ratioOf(c.originBytes) - ratioOf(lru.originBytes)) * 100).toFixed(1)} points`
          : ''
      }${
        aHeld
          ? `; against nginx held to the budget on disk (a′), the same disk actually used: **${((ratioOf(c.originBytes) - ratioOf(aHeld.originBytes)) * 100).toFixed(1)} points** (goal ≥ +5)`
          : ''
      }.`,
      '"On disk" is what `du` found under each cache directory every 2 s during its replay (the edge counts a',
      "4 KiB sidecar per object against its budget and evicts before it writes; nginx's cache manager trims",
      'to `max_size` after the fact).',
      `The same trace through the edge's own tiers offline (\`bench/origin/simulate.ts\`, sidecars counted): LRU ${pct(offline.lru)},`,
      `TinyLFU ${pct(offline.tinylfu)}, viewing popularity ${pct(offline.popularity)}.`,
      '',
      `Hit path: wrk -t2 -c50 -d${SECONDS}s over the ${HOT_OBJECTS} most requested segments, held by both (${allHits ? 'every one checked a hit' : 'NOT ALL WERE HITS'};`,
      `${mb(hitPathOriginBytes)} MB from the origin meanwhile), ${ROUNDS} rounds alternating: nginx **${nginxRps.toFixed(0)} req/s**, edge ${mark}`,
      `**${edgeRps.toFixed(0)} req/s**, ratio **${(edgeRps / nginxRps).toFixed(2)}** (per round ${perRound.join(', ')}; goal ≥ 1.0).`,
    ].join('\n');
    console.log(`\n${report}`);
    if (process.env.ORIGIN_BENCH_WRITE !== '0') {
      await writeSection(
        'docs/benchmarks.md',
        'Origin offload: edge cache against nginx proxy_cache',
        report,
      );
    }
  } finally {
    await nginx.stop();
    for (const e of edges) {
      await e.module.app.close();
      await e.module.stop();
    }
    await origin.close();
    await ctx.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Byte hit ratios of the edge's three disk policies over the trace, offline. */
function offlineRatios(trace: Trace, diskBytes: number, ramBytes: number) {
  const run = (extra: Partial<Parameters<typeof simulateEdge>[1]>) =>
    simulateEdge(trace, { diskBytes, ramBytes, ...extra }).byteHitRatio;
  return {
    lru: run({}),
    tinylfu: run({ admission: new TinyLfuAdmission(Math.ceil(diskBytes / (64 * 1024))) }),
    popularity: run({ popularity: new ViewingPopularity() }),
  };
}

await main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
