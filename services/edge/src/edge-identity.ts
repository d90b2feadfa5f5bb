import { hostname } from 'node:os';
import type { Settings } from '@marquee/core';

export interface EdgeIdentity {
  /** Stable id: the steering pathway id, the consumer group suffix and the disk directory name. */
  edgeId: string;
  /** Base URL viewers reach this edge at. */
  url: string;
}

/** Ids become consumer-group names (`[A-Za-z0-9_-]{1,64}`), pathway ids and directory names. */
const sanitize = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);

/**
 * Who this edge is, decided once it listens (the composition root builds every edge before it knows
 * which port each got). The n-th configured edge URL of this process is edge n: `<host>-e<n>` stays
 * the same across restarts of a monolithic install even on random ports, and differs between pods.
 */
export function resolveEdgeIdentity(input: {
  settings: Settings;
  /** ctx.urls.edge: the edges of this platform (this process's own in monolithic mode). */
  edgeUrls: readonly string[];
  port: number;
  tls: boolean;
  host?: string;
}): EdgeIdentity {
  const index = input.edgeUrls.findIndex((u) => {
    try {
      return Number(new URL(u).port) === input.port;
    } catch {
      return false;
    }
  });
  const ordinal = index >= 0 ? index + 1 : input.port;
  const edgeId = `${sanitize(input.host ?? hostname())}-e${ordinal}`;
  const configured = input.settings.EDGE_PUBLIC_URLS?.split(',')[index];
  if (configured) return { edgeId, url: configured.replace(/\/+$/, '') };
  const listenHost = ['0.0.0.0', '::', ''].includes(input.settings.MARQUEE_HOST)
    ? '127.0.0.1'
    : input.settings.MARQUEE_HOST;
  return { edgeId, url: `${input.tls ? 'https' : 'http'}://${listenHost}:${input.port}` };
}

/** Where players fetch steering manifests, until streaming says otherwise (same rule as streaming). */
export function defaultSteeringBaseUrl(settings: Settings): string {
  const host = ['0.0.0.0', '::', ''].includes(settings.MARQUEE_HOST) ? '127.0.0.1' : settings.MARQUEE_HOST;
  const base = settings.MARQUEE_PUBLIC_URL ?? `http://${host}:${settings.MARQUEE_PORT}`;
  return `${base.replace(/\/+$/, '')}/api/steering`;
}
