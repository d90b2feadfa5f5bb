import type { IncomingHttpHeaders } from 'node:http';
import { CORRELATION_HEADER, identityHeaders, SERVICE_TOKEN_HEADER, type Identity } from '@marquee/core';

/**
 * Headers about one hop only (RFC 9110 §7.6.1), never forwarded in either direction. `Expect` is answered
 * here: Node's server sends `100 Continue` itself before the body is read, so the upstream never needs the
 * expectation (and undici refuses it outright, which once wedged pooled connections: issue 20).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'expect',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** Identity and trust travel in `x-marquee-*` headers: from the internet they are forgeries. */
const INTERNAL_PREFIX = 'x-marquee-';

/** The `sid` of the caller's access token, so users can mark the current session. */
export const SESSION_HEADER = 'x-marquee-session-id';

export interface UpstreamRequestContext {
  requestId: string;
  serviceToken: string;
  identity?: Identity & { sessionId?: string };
  clientAddress: string;
  /** How the client reached the gateway, e.g. `https` and `marquee.example`. */
  protocol: string;
  host?: string;
}

/**
 * The headers sent upstream for a client request: the client's own minus hop-by-hop and forged
 * internal headers (and any `Connection`-named ones), plus the service token, the verified identity,
 * the request id and the X-Forwarded-* trio.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  ctx: UpstreamRequestContext,
): Record<string, string | string[]> {
  const named = String(incoming.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower.startsWith(INTERNAL_PREFIX) || named.includes(lower)) continue;
    if (lower === 'x-forwarded-for' || lower === 'x-forwarded-proto' || lower === 'x-forwarded-host')
      continue;
    out[lower] = value;
  }
  out[SERVICE_TOKEN_HEADER] = ctx.serviceToken;
  out[CORRELATION_HEADER] = ctx.requestId;
  if (ctx.identity) {
    Object.assign(out, identityHeaders(ctx.identity));
    if (ctx.identity.sessionId) out[SESSION_HEADER] = ctx.identity.sessionId;
  }
  out['x-forwarded-for'] = ctx.clientAddress;
  out['x-forwarded-proto'] = ctx.protocol;
  if (ctx.host) out['x-forwarded-host'] = ctx.host;
  return out;
}

/**
 * The headers returned to the client: hop-by-hop ones dropped, and a `Location` that points at the
 * upstream instance (tus answers absolute upload URLs) rewritten onto the gateway's public origin.
 */
export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  upstreamOrigin: string,
  publicOrigin: string,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower.startsWith(INTERNAL_PREFIX)) continue;
    out[lower] =
      lower === 'location' && typeof value === 'string'
        ? rewriteLocation(value, upstreamOrigin, publicOrigin)
        : value;
  }
  return out;
}

export function rewriteLocation(location: string, upstreamOrigin: string, publicOrigin: string): string {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location; // relative: already resolves against the gateway
  }
  if (url.origin !== new URL(upstreamOrigin).origin) return location;
  return `${publicOrigin}${url.pathname}${url.search}`;
}
