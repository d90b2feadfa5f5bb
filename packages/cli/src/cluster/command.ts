import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '@marquee/core';
import { startLocalCluster, type LocalCluster } from './cluster.js';

export const CLUSTER_USAGE = `  marquee cluster [--replicas 2] [--edges N] [--engines machine|private] [--port 0] [--restart-delay-ms 1000]
                  [--loader bundle|tsx] [--logs DIR] [--json]
                                  microservices mode on this machine: N replicas of every service on PostgreSQL,
                                  Redis, NATS and s3rver behind one ingress address (a test and development rig)`;

function integer(raw: string | undefined, name: string, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError([`--${name}: an integer ≥ ${min} (got "${raw}")`]);
  return n;
}

/** Parses `marquee cluster` arguments; engines default to the machine's (set TEST_*_URL to point elsewhere). */
export function parseClusterArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      replicas: { type: 'string' },
      edges: { type: 'string' },
      engines: { type: 'string' },
      port: { type: 'string' },
      'restart-delay-ms': { type: 'string' },
      logs: { type: 'string' },
      loader: { type: 'string', default: 'bundle' },
      json: { type: 'boolean', default: false },
    },
  });
  const loader: 'bundle' | 'tsx' = values.loader === 'tsx' ? 'tsx' : 'bundle';
  if (values.loader !== loader) {
    throw new ConfigError([`--loader: bundle or tsx (got "${values.loader}")`]);
  }
  const raw = values.engines ?? 'machine';
  const engines: 'machine' | 'private' | undefined = raw === 'machine' || raw === 'private' ? raw : undefined;
  if (!engines) {
    throw new ConfigError([`--engines: machine or private (got "${raw}")`]);
  }
  return {
    replicas: integer(values.replicas, 'replicas', 2, 1),
    ...(values.edges ? { overrides: { edge: integer(values.edges, 'edges', 2, 2) } } : {}),
    engines,
    port: integer(values.port, 'port', 0),
    restartDelayMs: integer(values['restart-delay-ms'], 'restart-delay-ms', 1_000),
    logDir: resolve(values.logs ?? 'data/cluster-logs'),
    loader,
    json: values.json ?? false,
  };
}

export async function clusterCommand(argv: string[]): Promise<void> {
  const args = parseClusterArgs(argv);
  const admin = {
    email: process.env.MARQUEE_ADMIN_EMAIL ?? 'admin@marquee.local',
    password: process.env.MARQUEE_ADMIN_PASSWORD ?? randomBytes(12).toString('base64url'),
  };
  const say = (line: string) => {
    if (!args.json) console.log(line);
  };
  const started = Date.now();
  say(`starting ${args.replicas} replica(s) per service on ${args.engines} engines…`);
  const cluster = await startLocalCluster({
    ...args,
    admin,
    env: process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {},
    events: {
      exited: (id, code, signal, restarting) =>
        say(
          `${id} exited (${signal ?? code})${restarting ? `, restarting in ${args.restartDelayMs} ms` : ''}`,
        ),
    },
  });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= cluster.stop().then(() => say('cluster stopped')));
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
  try {
    const ready = await cluster.waitReady();
    if (args.json) {
      console.log(JSON.stringify(summary(cluster, admin, ready.services, Date.now() - started)));
    } else {
      say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cluster.url}`);
      for (const r of cluster.replicas()) say(`  ${r.id.padEnd(14)} ${r.url}  pid ${r.pid() ?? '-'}`);
      say(`admin ${admin.email} / ${admin.password}`);
      say(`logs in ${args.logDir}; Ctrl-C stops every replica and removes the run's data`);
    }
  } catch (err) {
    console.error(cluster.recentOutput());
    await stop();
    throw err;
  }
}

function summary(
  cluster: LocalCluster,
  admin: { email: string; password: string },
  services: Record<string, unknown>,
  readyMs: number,
) {
  return {
    url: cluster.url,
    readyMs,
    admin,
    services,
    replicas: cluster.replicas().map((r) => ({ id: r.id, service: r.service, url: r.url, pid: r.pid() })),
  };
}
