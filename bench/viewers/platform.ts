/**
 * The platforms bench/viewers loads, started with the real `marquee start` on one data directory:
 *   one     every service in one process, as `npm start` runs it;
 *   split   the gateway in its own process, the edges in another, the other services in a third
 *           (the gateway apart, as the issue asks, and the edge apart so each service's CPU is its own);
 *   nginx   (the reference) Debian's nginx serving the same encoded files, sendfile on, no API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const HOST = '127.0.0.1';
const MARQUEE = resolve(import.meta.dirname, '../../packages/cli/bin/marquee.mjs');
export const ADMIN = { email: 'admin@viewers.bench', password: 'bench admin passphrase 1' };

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface RunningPlatform {
  gateway: string;
  /** Process id → what runs in it, for the CPU table. */
  processes: Map<number, string>;
  stop(): Promise<void>;
}

/** Node flags for every platform process (e.g. `--cpu-prof --cpu-prof-dir=…` for a profile). */
export interface PlatformOptions {
  nodeArgs?: string[];
}

function launch(args: string[], env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, MARQUEE, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1', MARQUEE_DEMO: 'false', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
          c.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          c.kill('SIGINT');
        }),
    ),
  );
}

async function ready(gateway: string, children: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (children.some((c) => c.exitCode !== null))
      throw new Error('a platform process exited while starting');
    const ok = await fetch(`${gateway}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error('the platform was not ready within 180 s');
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function startPlatform(
  layout: 'one' | 'split',
  dataDir: string,
  secret: string,
  options: PlatformOptions = {},
): Promise<RunningPlatform> {
  const nodeArgs = options.nodeArgs ?? [];
  const port = await freePort();
  const gateway = `http://${HOST}:${port}`;
  const common = {
    MARQUEE_PORT: String(port),
    MARQUEE_DATA_DIR: dataDir,
    MARQUEE_SECRET: secret,
    MARQUEE_ADMIN_EMAIL: ADMIN.email,
    MARQUEE_ADMIN_PASSWORD: ADMIN.password,
    // New accounts start on premium (4 streams), so 4 simulated viewers can share one account.
    BILLING_DEFAULT_PLAN: 'premium',
  };
  const children: ChildProcess[] = [];
  const processes = new Map<number, string>();
  if (layout === 'one') {
    const child = launch(['start'], common, nodeArgs);
    children.push(child);
    processes.set(child.pid!, 'all services');
  } else {
    const core = ['users', 'streaming', 'recommender', 'encoder', 'storage', 'analytics'];
    const ports = Object.fromEntries(
      await Promise.all(core.map(async (s) => [s, await freePort()] as const)),
    );
    const edgePorts = [await freePort(), await freePort()];
    const url = (p: number) => `http://${HOST}:${p}`;
    const urls = {
      ...Object.fromEntries(core.map((s) => [`MARQUEE_${s.toUpperCase()}_URLS`, url(ports[s]!)])),
      MARQUEE_EDGE_URLS: edgePorts.map(url).join(','),
    };
    const corePorts = Object.fromEntries(
      core.map((s) => [`MARQUEE_${s.toUpperCase()}_PORT`, String(ports[s])]),
    );
    const rest = launch(
      ['start', `--target=${core.join(',')}`],
      { ...common, ...urls, ...corePorts },
      nodeArgs,
    );
    const edges = launch(
      ['start', '--target=edge'],
      { ...common, ...urls, MARQUEE_EDGE_PORTS: edgePorts.join(',') },
      nodeArgs,
    );
    const gw = launch(['start', '--target=gateway'], { ...common, ...urls }, nodeArgs);
    children.push(rest, edges, gw);
    processes.set(rest.pid!, 'users+streaming+recommender+encoder+storage');
    processes.set(edges.pid!, 'edge ×2');
    processes.set(gw.pid!, 'gateway');
  }
  try {
    await ready(gateway, children);
  } catch (err) {
    await stopAll(children);
    throw err;
  }
  return { gateway, processes, stop: () => stopAll(children) };
}
