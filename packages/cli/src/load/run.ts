import { ConfigError } from '@marquee/core';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { loadavg } from 'node:os';
import { Account, Api } from './api.js';
import { ViewerHttp, viewerAddress } from './http.js';
import { LoadMetrics } from './metrics.js';
import { assertTarget, type LoadOptions } from './options.js';
import type { PlayerContext } from './player.js';
import { PlatformCpu } from './process-cpu.js';
import { createRandom, zipf, type Random } from './random.js';
import { buildReport, progressLine, type LoadReport } from './report.js';
import { apiViewer, DEFAULT_BEHAVIOUR, staticViewer, type CatalogEntry } from './viewer.js';

/** Past the end of the run, sessions get this long to stop (their DELETE) before the report is made. */
const DRAIN_MS = 15_000;
const PASSWORD = 'marquee load viewer passphrase';

export interface LoadExtras {
  /** Accounts to reuse (a benchmark running several loads on one platform); filled on first use. */
  accounts?: Account[];
  /** Where progress lines go (default: stderr when options.progress). */
  onProgress?(line: string): void;
  /**
   * Sign every account in before the first viewer starts (a benchmark measuring playback, not
   * sign-up: argon2 hashing would otherwise share the ramp with the starts being timed).
   */
  signInFirst?: boolean;
}

/** The run's clock: sleeps that all end at once when the run stops. */
class RunClock {
  private readonly sleepers = new Set<() => void>();
  stopped = false;

  sleep = (ms: number): Promise<void> => {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  };

  stop(): void {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
  }
}

async function givenAccounts(file: string, options: LoadOptions): Promise<Account[]> {
  const lines = (await readFile(file, 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return lines.map((line) => {
    const at = line.indexOf(':');
    if (at < 1)
      throw new ConfigError([`--accounts: each line is email:password (got "${line.slice(0, 40)}")`]);
    return new Account(line.slice(0, at), line.slice(at + 1), false, options.plan, options.viewersPerAccount);
  });
}

/** The published catalog, as a viewer's browser pages through it, shuffled by the seed into ranks. */
async function loadCatalog(api: Api, account: Account, random: Random): Promise<CatalogEntry[]> {
  const found: CatalogEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const query = `/api/titles?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const answer = await api.expect('catalog', 'GET', query, undefined, account);
    found.push(...(answer.json.items as CatalogEntry[]));
    cursor = (answer.json.nextCursor as string | null) ?? undefined;
    if (!cursor) break;
  }
  for (let i = found.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [found[i], found[j]] = [found[j]!, found[i]!];
  }
  return found;
}

/** Runs one load: ramps the viewers in, lets them play for the duration, drains, reports. */
export async function runLoad(options: LoadOptions, extras: LoadExtras = {}): Promise<LoadReport> {
  const base = assertTarget(options.base, options.allowRemote);
  const metrics = new LoadMetrics();
  const cpu = new PlatformCpu(options.pids);
  const loadavgStart = loadavg();
  const cpuAtStart = process.cpuUsage();
  const clock = new RunClock();
  const checked = new Set<string>();
  const player = (http: ViewerHttp): PlayerContext => ({
    http,
    metrics,
    bufferSegments: options.bufferSegments,
    checkTarget(url) {
      if (checked.has(url.origin)) return;
      assertTarget(url.href, options.allowRemote);
      checked.add(url.origin);
      cpu.notice(url);
    },
    stopping: () => clock.stopped,
    sleep: clock.sleep,
  });
  cpu.notice(base);
  const spread = options.spreadAddresses && isIP(base.hostname) === 4 && base.hostname.startsWith('127.');
  const clients: ViewerHttp[] = [];
  const httpFor = (i: number) => {
    const http = new ViewerHttp(spread ? { localAddress: viewerAddress(i) } : {});
    clients.push(http);
    return http;
  };
  const behaviour = { ...DEFAULT_BEHAVIOUR, watchMedianMs: options.watchMedianMs };
  const staticMode = options.staticMasters.length > 0;

  // API mode: the first account signs in and reads the catalog before anyone else starts.
  let catalog: CatalogEntry[] = [];
  const accounts = extras.accounts ?? [];
  const accountCount = Math.ceil(options.viewers / options.viewersPerAccount);
  if (!staticMode) {
    if (options.accountsFile && accounts.length === 0)
      accounts.push(...(await givenAccounts(options.accountsFile, options)));
    if (options.accountsFile && accounts.length < accountCount)
      throw new ConfigError([`--accounts: ${accountCount} accounts needed, the file has ${accounts.length}`]);
    const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    for (let a = accounts.length; a < accountCount; a++)
      accounts.push(
        new Account(
          `load-${tag}-${a}@load.marquee.test`,
          PASSWORD,
          true,
          options.plan,
          options.viewersPerAccount,
        ),
      );
    const api = new Api(httpFor(0), base, metrics);
    await accounts[0]!.signIn(api);
    if (extras.signInFirst) {
      let next = 1;
      // Each household signs up from its first viewer's address, as it would for real: from one address
      // a few hundred sign-ups meet the per-address limit on credentials (429), as they should.
      const worker = async () => {
        while (next < accountCount) {
          const a = next++;
          await accounts[a]!.signIn(new Api(httpFor(a * options.viewersPerAccount), base, metrics));
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
    }
    catalog = await loadCatalog(api, accounts[0]!, createRandom(options.seed, -1));
    if (catalog.length === 0)
      throw new ConfigError(['the catalog is empty: wait until titles have finished encoding (or add some)']);
  }
  const ranked = staticMode ? options.staticMasters.length : catalog.length;
  const pickRank = zipf(ranked, options.zipfExponent);

  const began = performance.now();
  const viewers: Promise<void>[] = [];
  const launch = (i: number) => {
    const http = i === 0 && clients[0] ? clients[0] : httpFor(i);
    const deps = {
      random: createRandom(options.seed, i),
      metrics,
      player: player(http),
      behaviour,
      pickRank,
    };
    viewers.push(
      staticMode
        ? staticViewer({ ...deps, masters: options.staticMasters })
        : apiViewer({
            ...deps,
            api: new Api(http, base, metrics),
            account: accounts[Math.floor(i / options.viewersPerAccount)]!,
            member: i % options.viewersPerAccount,
            catalog,
          }),
    );
  };
  const ramp = (async () => {
    for (let i = 0; i < options.viewers && !clock.stopped; i++) {
      const due = began + (i * options.rampMs) / options.viewers;
      await clock.sleep(due - performance.now());
      if (!clock.stopped) launch(i);
    }
  })();

  const toStderr = (l: string) => process.stderr.write(`${l}\n`);
  const print = extras.onProgress
    ? (l: string) => extras.onProgress!(l)
    : options.progress
      ? toStderr
      : undefined;
  let lastPlaying = 0;
  const ticker = setInterval(() => {
    const spsNow = metrics.starts.playing - lastPlaying;
    lastPlaying = metrics.starts.playing;
    print?.(progressLine(metrics, (performance.now() - began) / 1000, options.viewers, spsNow));
  }, 1000);

  await new Promise((r) => setTimeout(r, options.durationMs));
  clock.stop();
  // Rates are over the time starts could be made; the drain's stops still count in CPU and requests.
  const seconds = (performance.now() - began) / 1000;
  await ramp;
  const drained = Promise.all(viewers);
  await Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
  clearInterval(ticker);
  const used = process.cpuUsage(cpuAtStart);
  const report = buildReport({
    options,
    metrics,
    seconds,
    loaderCpuSeconds: (used.user + used.system) / 1e6,
    processes: cpu.report(),
    loadavgStart,
  });
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  return report;
}
