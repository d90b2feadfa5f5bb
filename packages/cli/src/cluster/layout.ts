import { SERVICE_NAMES, type ServiceName } from '@marquee/core';

/**
 * Where each replica of a local cluster listens and what it is told about the others: pure, so the
 * plan is checked without starting anything. Every replica is `marquee start --target=<service>` on
 * its own loopback port; the platform finds the others through MARQUEE_<SERVICE>_URLS, listing every
 * replica (an edge finds its ordinal, and so its id, by its own port in that list).
 */

export interface ReplicaPlan {
  /** `streaming-2`: the service and its ordinal, stable across restarts (like a StatefulSet's pod name). */
  id: string;
  service: ServiceName;
  ordinal: number;
  port: number;
  url: string;
}

export type ReplicaCounts = Record<ServiceName, number>;

/** Edges are fewer than two only at the cost of steering: a player needs somewhere to move to. */
export const MIN_EDGES = 2;

/** N replicas of every service, at least MIN_EDGES edges, with per-service overrides. */
export function replicaCounts(replicas: number, overrides: Partial<ReplicaCounts> = {}): ReplicaCounts {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 8) {
    throw new RangeError(`replicas must be an integer from 1 to 8 (got ${replicas})`);
  }
  const counts = Object.fromEntries(SERVICE_NAMES.map((s) => [s, overrides[s] ?? replicas])) as ReplicaCounts;
  counts.edge = Math.max(counts.edge, MIN_EDGES);
  return counts;
}

/** One plan per replica, in start order of the given counts, each on the next port handed out. */
export function planReplicas(
  counts: ReplicaCounts,
  ports: readonly number[],
  host = '127.0.0.1',
): ReplicaPlan[] {
  const plans: ReplicaPlan[] = [];
  let next = 0;
  for (const service of SERVICE_NAMES) {
    for (let ordinal = 1; ordinal <= counts[service]; ordinal += 1) {
      const port = ports[next++];
      if (port === undefined)
        throw new RangeError(`${replicaTotal(counts)} ports needed, ${ports.length} given`);
      plans.push({ id: `${service}-${ordinal}`, service, ordinal, port, url: `http://${host}:${port}` });
    }
  }
  return plans;
}

export function replicaTotal(counts: ReplicaCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The setting that names the port of a process running only `service`. */
export const PORT_SETTING: Record<ServiceName, string> = {
  gateway: 'MARQUEE_PORT',
  users: 'MARQUEE_USERS_PORT',
  streaming: 'MARQUEE_STREAMING_PORT',
  recommender: 'MARQUEE_RECOMMENDER_PORT',
  encoder: 'MARQUEE_ENCODER_PORT',
  storage: 'MARQUEE_STORAGE_PORT',
  edge: 'MARQUEE_EDGE_PORTS',
  analytics: 'MARQUEE_ANALYTICS_PORT',
};

/**
 * What every replica shares: where every replica of every other service is. Gateways are not listed:
 * nothing calls a gateway but viewers, who come through the cluster's ingress (`publicUrl`).
 */
export function sharedSettings(
  plans: readonly ReplicaPlan[],
  publicUrl: string,
  /** Replicas whose callers reach them through another address (a fault-injecting proxy), by id. */
  reachedAt: ReadonlyMap<string, string> = new Map(),
): Record<string, string> {
  const urlsOf = (service: ServiceName) =>
    plans
      .filter((p) => p.service === service)
      .map((p) => reachedAt.get(p.id) ?? p.url)
      .join(',');
  const env: Record<string, string> = { MARQUEE_PUBLIC_URL: publicUrl };
  for (const service of SERVICE_NAMES) {
    if (service !== 'gateway') env[`MARQUEE_${service.toUpperCase()}_URLS`] = urlsOf(service);
  }
  return env;
}

/** What one replica is told on top of the shared settings: its own port. */
export function replicaSettings(plan: ReplicaPlan): Record<string, string> {
  return { [PORT_SETTING[plan.service]]: String(plan.port) };
}
