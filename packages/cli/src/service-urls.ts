import { ConfigError, type ServiceName, type Settings } from '@marquee/core';

/** A wildcard bind address is not somewhere to connect to (`http://:::80` is not even a URL): use loopback. */
export function reachableHost(host: string): string {
  return ['0.0.0.0', '::', ''].includes(host) ? '127.0.0.1' : host;
}

/**
 * The URL other services reach an instance of `name` listening on `port` in this process at. Edges
 * with EDGE_TLS on listen with TLS, so theirs is https: that URL is what the gateway probes, what the
 * CSP allows and what streaming hands players until the edges report their own.
 */
export function listenUrl(settings: Settings, name: ServiceName, port: number): string {
  const scheme = name === 'edge' && settings.EDGE_TLS !== 'off' ? 'https' : 'http';
  return `${scheme}://${reachableHost(settings.MARQUEE_HOST)}:${port}`;
}

/**
 * With EDGE_TLS on an edge answers TLS only, so a plain-HTTP MARQUEE_EDGE_URLS entry can never reach
 * it: say so at start instead of an edge that is never ready.
 */
export function checkEdgeUrls(settings: Settings, edgeUrls: readonly string[]): void {
  if (settings.EDGE_TLS === 'off') return;
  const plain = edgeUrls.filter((u) => !u.startsWith('https://'));
  if (plain.length > 0) {
    throw new ConfigError([
      `MARQUEE_EDGE_URLS: EDGE_TLS=${settings.EDGE_TLS} makes edges listen with TLS, so list them as https:// (got ${plain.join(', ')})`,
    ]);
  }
}

/**
 * Where players reach each edge: EDGE_PUBLIC_URLS[n] for the n-th edge when given (it wins, as in the
 * edge's own identity), else the edge's URL in the platform.
 */
export function publicEdgeUrls(settings: Settings, edgeUrls: readonly string[]): string[] {
  const configured = settings.EDGE_PUBLIC_URLS?.split(',') ?? [];
  const count = Math.max(configured.length, edgeUrls.length);
  return Array.from({ length: count }, (_, i) => (configured[i] ?? edgeUrls[i])!.replace(/\/+$/, ''));
}
