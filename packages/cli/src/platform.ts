import { resolve } from 'node:path';
import {
  ConfigError,
  Lifecycle,
  SERVICE_NAMES,
  type Logger,
  type ServiceModule,
  type ServiceName,
  type Settings,
} from '@marquee/core';
import type { ServiceContext } from '@marquee/platform';
import { buildAnalytics } from '@marquee/analytics';
import { buildEdge, loadEdgeTrustAnchor } from '@marquee/edge';
import { buildEncoder } from '@marquee/encoder';
import { buildGateway } from '@marquee/gateway';
import { buildRecommender } from '@marquee/recommender';
import { buildStorage } from '@marquee/storage';
import { buildStreaming } from '@marquee/streaming';
import { buildUsers } from '@marquee/users';
import { openBackends } from './backends.js';
import { BackupMetrics, appendToMetricsEndpoint } from './backup/metrics.js';
import { startBackupSchedule, type BackupSchedule } from './backup/schedule.js';
import { embeddedBackendWarnings, trustedProxies } from './deployment-mode.js';
import { freePort } from './ports.js';
import { loadOrCreateSecret } from './secret.js';
import { checkEdgeUrls, listenUrl, publicEdgeUrls, reachableHost } from './service-urls.js';

/** What the command line wants to hear from the services it starts. */
export interface PlatformHooks {
  /** Receives the first admin's generated credentials line instead of stdout (the start banner shows it). */
  printFirstAdmin?: (line: string) => void;
}

const builders: Record<ServiceName, (ctx: ServiceContext, hooks: PlatformHooks) => Promise<ServiceModule>> = {
  // Players fetch media from the edges' PUBLIC origins, which the web app's CSP must allow; in a cluster
  // these differ from the internal edge URLs the gateway probes. Edges with TLS on present a certificate
  // the gateway's probes trust (the self-signed one from the data dir, or EDGE_TLS_CERT). Behind an
  // ingress every request comes from the proxy's address: without trusting its X-Forwarded-For all
  // viewers share one rate limit.
  gateway: (ctx) =>
    buildGateway(ctx, {
      edgeOrigins: publicEdgeUrls(ctx.settings, ctx.urls.edge),
      edgeCa: () => loadEdgeTrustAnchor(ctx.settings, ctx.dataDir),
      tuning: { trustProxy: trustedProxies(ctx.settings.GATEWAY_TRUST_PROXY) },
    }),
  users: (ctx, hooks) => buildUsers(ctx, hooks.printFirstAdmin ? { print: hooks.printFirstAdmin } : {}),
  // Until the edges report their own URLs, streaming hands players these.
  streaming: (ctx) => buildStreaming(ctx, { publicEdgeUrls: publicEdgeUrls(ctx.settings, ctx.urls.edge) }),
  recommender: (ctx) => buildRecommender(ctx),
  encoder: (ctx) => buildEncoder(ctx),
  edge: (ctx) => buildEdge(ctx),
  storage: (ctx) => buildStorage(ctx),
  analytics: (ctx) => buildAnalytics(ctx),
};

/** Order matters for start-up and the reverse for shutdown: stores first, the public door last. */
const START_ORDER: ServiceName[] = [
  'storage',
  'users',
  'streaming',
  'recommender',
  'encoder',
  'edge',
  'analytics',
  'gateway',
];

export interface RunningPlatform {
  gatewayUrl: string;
  urls: Record<ServiceName, string[]>;
  context: ServiceContext;
  /** Automatic backups (monolithic mode, unless BACKUP_INTERVAL=off). */
  backups: BackupSchedule | undefined;
  /** Stops at once: servers close (finishing their requests), then background work and backends. */
  close(): Promise<void>;
  /** A graceful stop (SIGTERM): every server drains for SHUTDOWN_DRAIN_MS first (drain.ts), then close(). */
  shutdown(): Promise<void>;
}

const portSetting: Record<Exclude<ServiceName, 'gateway' | 'edge'>, keyof Settings> = {
  users: 'MARQUEE_USERS_PORT',
  streaming: 'MARQUEE_STREAMING_PORT',
  recommender: 'MARQUEE_RECOMMENDER_PORT',
  encoder: 'MARQUEE_ENCODER_PORT',
  storage: 'MARQUEE_STORAGE_PORT',
  analytics: 'MARQUEE_ANALYTICS_PORT',
};
const urlSetting: Record<Exclude<ServiceName, 'gateway'>, keyof Settings> = {
  users: 'MARQUEE_USERS_URLS',
  streaming: 'MARQUEE_STREAMING_URLS',
  recommender: 'MARQUEE_RECOMMENDER_URLS',
  encoder: 'MARQUEE_ENCODER_URLS',
  storage: 'MARQUEE_STORAGE_URLS',
  edge: 'MARQUEE_EDGE_URLS',
  analytics: 'MARQUEE_ANALYTICS_URLS',
};

/** The ports each running instance of `target` listens on (several for edges). */
async function listenPorts(settings: Settings, name: ServiceName): Promise<number[]> {
  const host = settings.MARQUEE_HOST;
  const orFree = async (p: number) => (p === 0 ? freePort(host) : p);
  if (name === 'gateway') return [settings.MARQUEE_PORT];
  if (name === 'edge')
    return Promise.all(settings.MARQUEE_EDGE_PORTS.split(',').map((p) => orFree(Number(p))));
  return [await orFree(settings[portSetting[name]] as number)];
}

/**
 * Starts `targets` in this process. With every service as target this is monolithic mode: each service
 * on its own loopback port, talking to the others over HTTP exactly as in a cluster. With one target it
 * is microservices mode: the other services are reached at their configured MARQUEE_*_URLS.
 */
export async function startPlatform(
  settings: Settings,
  logger: Logger,
  targets: readonly ServiceName[],
  hooks: PlatformHooks = {},
): Promise<RunningPlatform> {
  const dataDir = resolve(settings.MARQUEE_DATA_DIR);
  const lifecycle = new Lifecycle(logger);
  const warnings = embeddedBackendWarnings(settings, targets);
  if (warnings.length > 0) {
    logger.warn(
      { targets, warnings },
      'running some services on embedded backends: fine for several processes on ONE machine sharing ' +
        'MARQUEE_DATA_DIR, not across machines (set DATABASE_URL, REDIS_URL, NATS_URL and S3_* for that); see docs/deploy.md',
    );
  }
  const backends = await openBackends(settings, dataDir, logger);
  lifecycle.onClose('backends', () => backends.close());
  try {
    const secret = await loadOrCreateSecret(settings.MARQUEE_SECRET, dataDir);
    const host = settings.MARQUEE_HOST;
    const ports = new Map<ServiceName, number[]>();
    const urls = {} as Record<ServiceName, string[]>;
    for (const name of SERVICE_NAMES) {
      const configured =
        name === 'gateway' ? undefined : (settings[urlSetting[name]] as string | undefined)?.split(',');
      if (targets.includes(name)) {
        const listen = await listenPorts(settings, name);
        ports.set(name, listen);
        // MARQUEE_<X>_URLS, when set, lists every instance of X in the platform, this process's included:
        // an edge finds its ordinal (and so its id) in that list, and a gateway running beside one
        // streaming instance still balances over all of them.
        urls[name] = configured ?? listen.map((p) => listenUrl(settings, name, p));
      } else if (name !== 'gateway') {
        if (!configured)
          throw new ConfigError([
            `${urlSetting[name]}: must be set when ${name} is not a target of this process`,
          ]);
        urls[name] = configured;
      } else {
        urls.gateway = [];
      }
    }
    checkEdgeUrls(settings, urls.edge);
    const context: ServiceContext = {
      settings,
      logger,
      secret,
      cache: backends.cache,
      bus: backends.bus,
      blobs: backends.blobs,
      openDb: backends.openDb,
      urls,
      dataDir,
    };

    const started: ServiceModule[] = [];
    const monolithic = SERVICE_NAMES.every((n) => targets.includes(n));
    const backupMetrics = new BackupMetrics();
    for (const name of START_ORDER.filter((n) => targets.includes(n))) {
      const instancePorts = ports.get(name) ?? [];
      for (const [index, port] of instancePorts.entries()) {
        const instanceName = instancePorts.length > 1 ? `${name}-${index + 1}` : name;
        const service = await builders[name](
          { ...context, logger: logger.child({ service: instanceName }) },
          hooks,
        );
        if (monolithic && name === 'storage' && index === 0) {
          appendToMetricsEndpoint(service.app, backupMetrics.registry, instanceName);
        }
        await service.app.listen({ port, host });
        lifecycle.onClose(`${instanceName} background`, () => service.stop());
        lifecycle.onDrain(`${instanceName} http`, () => service.app.drain(settings.SHUTDOWN_DRAIN_MS));
        lifecycle.onClose(`${instanceName} http`, () => service.app.close());
        started.push(service);
        logger.info({ service: instanceName, url: listenUrl(settings, name, port) }, 'service listening');
      }
    }
    for (const service of started) await service.start();
    const backups = monolithic
      ? await startBackupSchedule({
          settings,
          dataDir,
          blobs: backends.blobs,
          logger,
          metrics: backupMetrics,
        })
      : undefined;
    if (backups) lifecycle.onClose('backups', () => backups.stop());
    const gatewayUrl =
      settings.MARQUEE_PUBLIC_URL ?? `http://${reachableHost(host)}:${settings.MARQUEE_PORT}`;
    return {
      gatewayUrl,
      urls,
      context,
      backups,
      close: () => lifecycle.close(),
      shutdown: () => lifecycle.shutdown(),
    };
  } catch (err) {
    await lifecycle.close();
    throw err;
  }
}
