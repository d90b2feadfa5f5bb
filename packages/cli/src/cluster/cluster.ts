import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@marquee/core';
import { startS3rver, type RunningS3rver } from '@marquee/platform/testing';
import { freePort } from '../ports.js';
import { Ingress } from './ingress.js';
import {
  planReplicas,
  replicaCounts,
  replicaSettings,
  replicaTotal,
  sharedSettings,
  type ReplicaCounts,
  type ReplicaPlan,
} from './layout.js';
import { isolateOnEngines, type EngineUrls, type IsolatedEngines } from './machine-engines.js';
import { bundleReplicaEntry, replicaBundlePath } from './replica-bundle.js';
import { startPrivateEngines, type PrivateEngines } from './private-engines.js';
import { Supervisor, type Replica, type ReplicaEvents } from './supervisor.js';

/**
 * `marquee cluster` as a library: microservices mode on this machine, N replicas of every service on
 * PostgreSQL, Redis, NATS JetStream and an S3 store (s3rver, started here), each replica its own
 * process on its own loopback port, the gateways behind one ingress address, a replica that dies
 * started again after a short delay. Tests and `marquee chaos` drive it through this handle.
 */

export interface ClusterOptions {
  replicas?: number;
  overrides?: Partial<ReplicaCounts>;
  /** `machine`: the engines at `machineUrls`, isolated per run; `private`: servers of our own (stoppable). */
  engines?: 'machine' | 'private';
  machineUrls?: EngineUrls;
  restartDelayMs?: number;
  /** Ingress port (0: any free one). */
  port?: number;
  admin?: { email: string; password: string };
  /**
   * How replicas load the code: `bundle` (default) runs one JavaScript file the rig builds at start
   * (replica-bundle.ts: less than half the CPU of a start through tsx); `tsx` runs the sources.
   */
  loader?: 'bundle' | 'tsx';
  /** Extra settings for every replica (LOG_LEVEL, chaos settings, tuning). */
  env?: Record<string, string>;
  /** Each replica's output also goes to <logDir>/<id>.log. */
  logDir?: string;
  events?: ReplicaEvents;
  /**
   * Replicas (ids, not gateways or edges) that the others reach through a fault-injecting proxy of
   * their own, for latency and error experiments; without faults set the proxy only forwards.
   */
  faultable?: readonly string[];
}

export interface ReadyReport {
  status: string;
  services: Record<string, { status: string; ready: number; instances: number }>;
}

export interface LocalCluster {
  /** The ingress: where viewers and operators reach the gateways. */
  url: string;
  counts: ReplicaCounts;
  replicas(): Replica[];
  replica(id: string): Replica;
  supervisor: Supervisor;
  ingress: Ingress;
  /** Present with engines: 'private' — the servers an experiment may stop. */
  privateEngines: PrivateEngines | undefined;
  /** The fault-injecting proxy in front of a replica listed in `faultable`. */
  faultProxy(id: string): Ingress;
  /** Settings every replica runs with (engines, URLs, secret). */
  env: Record<string, string>;
  waitReady(timeoutMs?: number): Promise<ReadyReport>;
  /** Restarts one replica as a RollingUpdate with maxUnavailable 0 would: out of rotation, drained, replaced, ready. */
  rollingRestart(id: string, timeoutMs?: number): Promise<void>;
  /** Everything the replicas printed lately, labelled, for failure messages. */
  recentOutput(): string;
  stop(): Promise<void>;
}

export const DEFAULT_MACHINE_URLS: EngineUrls = {
  postgres: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  nats: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
};

export async function startLocalCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  const counts = replicaCounts(options.replicas ?? 2, options.overrides);
  const name = `cluster_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const work = await mkdtemp(join(tmpdir(), 'marquee-cluster-'));
  const undo: (() => Promise<void>)[] = [() => rm(work, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
  };
  try {
    let privateEngines: PrivateEngines | undefined;
    let isolated: IsolatedEngines;
    if (options.engines === 'private') {
      privateEngines = await startPrivateEngines();
      undo.push(() => privateEngines!.dispose());
      const urls = privateEngines.env as unknown as {
        DATABASE_URL: string;
        REDIS_URL: string;
        NATS_URL: string;
      };
      isolated = await isolateOnEngines(
        { postgres: urls.DATABASE_URL, redis: urls.REDIS_URL, nats: urls.NATS_URL },
        name,
      );
    } else {
      isolated = await isolateOnEngines(options.machineUrls ?? DEFAULT_MACHINE_URLS, name);
    }
    undo.push(() => isolated.dispose());

    const s3: RunningS3rver = await startS3rver();
    undo.push(() => s3.stop());
    const bucket = name.replace(/_/g, '-');
    await createBucket(s3, bucket);

    const ports = await distinctFreePorts(replicaTotal(counts));
    const plans = planReplicas(counts, ports);
    const ingress = new Ingress({
      backends: plans.filter((p) => p.service === 'gateway').map((p) => p.url),
      port: options.port ?? 0,
    });
    const url = await ingress.listen();
    undo.push(() => ingress.close());
    const faultProxies = new Map<string, Ingress>();
    for (const id of options.faultable ?? []) {
      const plan = plans.find((p) => p.id === id);
      if (!plan || plan.service === 'gateway' || plan.service === 'edge') {
        throw new Error(`faultable: ${id} is not a replica of a service behind the gateway`);
      }
      const proxy = new Ingress({ backends: [plan.url] });
      await proxy.listen();
      undo.push(() => proxy.close());
      faultProxies.set(id, proxy);
    }

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...isolated.env,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: bucket,
      S3_REGION: s3.credentials.region,
      S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      MARQUEE_SECRET: randomBytes(32).toString('base64url'),
      MARQUEE_DEMO: 'false',
      MARQUEE_HOST: '127.0.0.1',
      // The ingress appends the viewer's address to X-Forwarded-For; believe it, as behind any proxy.
      GATEWAY_TRUST_PROXY: '127.0.0.0/8',
      LOG_LEVEL: 'warn',
      ...sharedSettings(plans, url, new Map([...faultProxies].map(([id, proxy]) => [id, proxy.url]))),
      ...(options.admin
        ? { MARQUEE_ADMIN_EMAIL: options.admin.email, MARQUEE_ADMIN_PASSWORD: options.admin.password }
        : {}),
      ...options.env,
    };

    const logDir = options.logDir;
    if (logDir) await mkdir(logDir, { recursive: true });
    let entry: string | undefined;
    if (options.loader !== 'tsx') {
      entry = await bundleReplicaEntry(replicaBundlePath(name));
      const built = entry;
      undo.push(async () => {
        await Promise.all([rm(built, { force: true }), rm(`${built}.map`, { force: true })]);
      });
    }
    const supervisor = new Supervisor({
      ...(entry ? { entry } : {}),
      orphans: { planFile: join(work, 'orphan-plan'), removeDirs: [work] },
      restartDelayMs: options.restartDelayMs ?? 1_000,
      ...(logDir ? { logDir } : {}),
      events: {
        ...options.events,
        exited(id, code, signal, restarting) {
          const plan = plans.find((p) => p.id === id);
          if (plan?.service === 'gateway') ingress.setHealthy(plan.url, false);
          options.events?.exited?.(id, code, signal, restarting);
        },
      },
    });
    undo.push(() => supervisor.close());
    for (const plan of plans) {
      const dataDir = join(work, plan.id);
      await mkdir(dataDir);
      supervisor.add(plan, dataDir, { ...env, ...replicaSettings(plan), MARQUEE_DATA_DIR: dataDir });
    }

    const cluster: LocalCluster = {
      url,
      counts,
      replicas: () => supervisor.list(),
      replica: (id) => supervisor.get(id),
      supervisor,
      ingress,
      privateEngines,
      faultProxy: (id) => {
        const proxy = faultProxies.get(id);
        if (!proxy) throw new Error(`${id} was not started faultable`);
        return proxy;
      },
      env,
      waitReady: (timeoutMs = 120_000) => waitReady(plans, timeoutMs),
      rollingRestart: (id, timeoutMs = 60_000) => rollingRestart(cluster, plans, id, timeoutMs),
      recentOutput: () =>
        supervisor
          .list()
          .map((r) => `--- ${r.id}\n${r.recentOutput().split('\n').slice(-30).join('\n')}`)
          .join('\n'),
      stop: cleanup,
    };
    return cluster;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function createBucket(s3: RunningS3rver, bucket: string): Promise<void> {
  // Created once here so that every storage and encoder replica does not race to create it.
  const { openBlobStore } = await import('@marquee/platform');
  const blobs = await openBlobStore({ s3: { endpoint: s3.endpoint, bucket, ...s3.credentials } });
  await blobs.close();
}

/** Free loopback ports, none handed out twice (the OS may reuse a port just released). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort('127.0.0.1'));
  return [...ports];
}

async function readyz(
  url: string,
  path = '/readyz',
): Promise<{ status: number; body: ReadyReport | undefined }> {
  const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2_000) });
  const body = (await res.json().catch(() => undefined)) as ReadyReport | undefined;
  return { status: res.status, body };
}

/** Every gateway ready, and through each one every replica of every service. */
async function waitReady(plans: readonly ReplicaPlan[], timeoutMs: number): Promise<ReadyReport> {
  const deadline = Date.now() + timeoutMs;
  const gateways = plans.filter((p) => p.service === 'gateway');
  let last = 'no answer yet';
  for (;;) {
    try {
      const answers = await Promise.all(gateways.map((g) => readyz(g.url)));
      const complete = answers.every(
        (a) =>
          a.status === 200 &&
          a.body?.status === 'ready' &&
          SERVICE_NAMES.filter((s): s is ServiceName => s !== 'gateway').every(
            (s) => a.body!.services[s] && a.body!.services[s].ready === a.body!.services[s].instances,
          ),
      );
      last = JSON.stringify(answers.map((a) => a.body?.services));
      if (complete) return answers[0]!.body!;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`cluster not ready after ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function rollingRestart(
  cluster: LocalCluster,
  plans: readonly ReplicaPlan[],
  id: string,
  timeoutMs: number,
): Promise<void> {
  const plan = plans.find((p) => p.id === id);
  if (!plan) throw new Error(`no replica ${id}`);
  if (plan.service === 'gateway') {
    // Readiness false first: the ingress sends it nothing new, and what it has in flight completes.
    cluster.ingress.drain(plan.url);
    await cluster.ingress.idle(plan.url, timeoutMs);
  }
  await cluster.supervisor.stop(id);
  cluster.supervisor.start(id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Its own readiness (a gateway's /readyz would also wait for every upstream).
    const ready = await readyz(plan.url, '/readyz/self').catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`${id} not ready again within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
  if (plan.service === 'gateway') {
    cluster.ingress.setHealthy(plan.url, true);
    cluster.ingress.drain(plan.url, false);
  }
}
