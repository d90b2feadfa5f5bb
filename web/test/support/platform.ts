import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { freePort } from '../../../packages/cli/src/ports.js';
import {
  processGroupAlive,
  runMarquee,
  tempDataDir,
  type Spawned,
} from '../../../packages/cli/test/helpers.js';
import { ensureWebBuilt } from './web-build.js';

const HOST = '127.0.0.1';
const CORE_TARGETS = 'gateway,users,streaming,recommender,encoder,storage,analytics';

export interface EdgeProcess {
  url: string;
  port: number;
  /** SIGKILL: the edge vanishes mid-response, as a crashed node would. */
  kill(): void;
}

export interface TestPlatform {
  url: string;
  /** Shared by every process: SQLite files, the event log, blobs (encoded media under blobs/). */
  dataDir: string;
  admin: { email: string; password: string };
  /** Edges running in their own processes (only with `separateEdges`). */
  edges: EdgeProcess[];
  /** Everything the processes printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const everything = new Set<Spawned>();
// A crashed test worker must not leave a platform behind.
process.once('exit', () => {
  for (const s of everything) if (s.child.pid && processGroupAlive(s.child.pid)) killGroup(s, 'SIGKILL');
});

function killGroup(s: Spawned, signal: NodeJS.Signals) {
  try {
    process.kill(-s.child.pid!, signal);
  } catch {
    // already gone
  }
}

async function stopProcess(s: Spawned): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  killGroup(s, 'SIGINT');
  const done = await Promise.race([
    s.exited.then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), 15_000)),
  ]);
  if (!done) killGroup(s, 'SIGKILL');
  await s.exited;
}

/**
 * Starts the real platform with `marquee start`: one process in monolithic mode, or — with
 * `separateEdges: n` — the core services in one process and each edge in its own, all sharing one data
 * directory and secret, the way a small cluster runs. Resolves once the gateway's /readyz says ready.
 *
 * The ports are chosen free, then bound by the platform a moment later; on a busy machine another
 * process can take one in between. A start that fails on `EADDRINUSE` is made again on new ports.
 */
export async function startTestPlatform(
  options: {
    separateEdges?: number;
    /** Settings added to every process's environment (e.g. MEDIA_ENCRYPTION=false). */
    env?: Record<string, string>;
  } = {},
): Promise<TestPlatform> {
  await ensureWebBuilt();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTaken)) throw err;
    }
  }
}

/** The platform exited because a port chosen for it was taken before it could bind it. */
class PortTaken extends Error {}

async function startOnce(options: {
  separateEdges?: number;
  env?: Record<string, string>;
}): Promise<TestPlatform> {
  const dataDir = tempDataDir();
  const admin = { email: 'admin@marquee.test', password: `admin-${randomBytes(8).toString('hex')}` };
  const port = await freePort(HOST);
  const base: Record<string, string> = {
    MARQUEE_PORT: String(port),
    MARQUEE_DATA_DIR: dataDir,
    MARQUEE_SECRET: randomBytes(32).toString('hex'),
    MARQUEE_DEMO: 'false',
    MARQUEE_ADMIN_EMAIL: admin.email,
    MARQUEE_ADMIN_PASSWORD: admin.password,
    LOG_LEVEL: process.env.MARQUEE_TEST_LOG_LEVEL ?? 'warn',
    NODE_NO_WARNINGS: '1',
    ...options.env,
  };
  const spawned: Spawned[] = [];
  const spawn = (args: string[], env: Record<string, string>) => {
    const s = runMarquee(args, { ...base, ...env });
    spawned.push(s);
    everything.add(s);
    return s;
  };
  const edges: EdgeProcess[] = [];

  if (!options.separateEdges) {
    spawn(['start'], {});
  } else {
    const services = ['users', 'streaming', 'recommender', 'encoder', 'storage', 'analytics'];
    const ports = Object.fromEntries(await Promise.all(services.map(async (s) => [s, await freePort(HOST)])));
    const edgePorts = await Promise.all(Array.from({ length: options.separateEdges }, () => freePort(HOST)));
    const urlOf = (p: number) => `http://${HOST}:${p}`;
    const urls: Record<string, string> = Object.fromEntries(
      services.map((s) => [`MARQUEE_${s.toUpperCase()}_URLS`, urlOf(ports[s] as number)]),
    );
    const edgeUrls = edgePorts.map(urlOf).join(',');
    spawn(['start', `--target=${CORE_TARGETS}`], {
      ...Object.fromEntries(services.map((s) => [`MARQUEE_${s.toUpperCase()}_PORT`, String(ports[s])])),
      MARQUEE_EDGE_URLS: edgeUrls,
    });
    for (const edgePort of edgePorts) {
      const s = spawn(['start', '--target=edge'], {
        ...urls,
        MARQUEE_EDGE_PORTS: String(edgePort),
        MARQUEE_EDGE_URLS: edgeUrls,
      });
      edges.push({ url: urlOf(edgePort), port: edgePort, kill: () => killGroup(s, 'SIGKILL') });
    }
  }

  const output = () => spawned.map((s, i) => `--- process ${i + 1}\n${s.output()}`).join('\n');
  const url = `http://${HOST}:${port}`;
  const stop = async () => {
    await Promise.all(spawned.map(stopProcess));
    for (const s of spawned) everything.delete(s);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    const exited = spawned.find((s) => s.child.exitCode !== null);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (exited || Date.now() > deadline) {
      await stop();
      const message = `${exited ? 'marquee exited early' : 'the platform was not ready within 90 s'}:\n${output()}`;
      throw exited && /EADDRINUSE/.test(output()) ? new PortTaken(message) : new Error(message);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, dataDir, admin, edges, output, stop };
}
