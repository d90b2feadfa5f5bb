import { SERVICE_NAMES, type ServiceName } from '@marquee/core';
import {
  aggregateReadiness,
  probeReadiness,
  type InstanceReadiness,
  type ReadinessReport,
} from '../app/readiness.js';
import type { GatewayConfig } from '../config.js';
import type { EdgeTrust } from './edge-trust.js';
import type { Upstreams } from './upstreams.js';

export interface PlatformReadiness {
  /** The public /readyz answer, computed at most once a second however often it is asked. */
  report(): Promise<ReadinessReport>;
  /** Per-instance detail for the admin console. */
  instances(): Promise<Record<ServiceName, InstanceReadiness[]>>;
}

/**
 * Asks every instance of every service (all edges too) for /readyz in parallel with a short timeout.
 * The gateway itself is ready once it holds the users' signing keys, i.e. once it can verify tokens.
 */
export function platformReadiness(
  config: GatewayConfig,
  gatewayReady: () => Promise<boolean>,
  edgeTrust: EdgeTrust,
): PlatformReadiness {
  let last: { at: number; value: Promise<Record<ServiceName, InstanceReadiness[]>> } | undefined;

  const probeAll = async () => {
    const entries = await Promise.all(
      SERVICE_NAMES.map(async (name): Promise<[ServiceName, InstanceReadiness[]]> => {
        if (name === 'gateway') {
          const ready = await gatewayReady();
          return [
            name,
            [{ url: 'self', ready, ...(ready ? {} : { detail: 'signing keys not loaded from users' }) }],
          ];
        }
        const urls = config.urls[name] ?? [];
        const dispatcher = name === 'edge' ? await edgeTrust.dispatcher() : undefined;
        return [
          name,
          await Promise.all(urls.map((u) => probeReadiness(u, config.readinessTimeoutMs, dispatcher))),
        ];
      }),
    );
    return Object.fromEntries(entries) as Record<ServiceName, InstanceReadiness[]>;
  };

  const instances = () => {
    if (!last || Date.now() - last.at > 1_000) last = { at: Date.now(), value: probeAll() };
    return last.value;
  };
  return { instances, report: async () => aggregateReadiness(await instances()) };
}

/** The admin console's health view: readiness per instance plus each upstream's resilience state. */
export async function adminHealth(readiness: PlatformReadiness, upstreams: Upstreams): Promise<unknown> {
  const instances = await readiness.instances();
  const { body } = aggregateReadiness(instances);
  return {
    status: body.status,
    services: Object.fromEntries(
      SERVICE_NAMES.map((name) => [name, { ...body.services[name], instances: instances[name] }]),
    ),
    upstreams: Object.fromEntries(
      Object.values(upstreams).map((u) => [
        u.name,
        {
          circuit: u.client.circuit,
          concurrencyLimit: u.limiter.limit,
          inflight: u.limiter.inflight,
          waiting: u.limiter.waiting,
          shed: u.shed,
          instances: u.client.instances(),
        },
      ]),
    ),
  };
}
