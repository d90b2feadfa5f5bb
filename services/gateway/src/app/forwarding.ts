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

/** Client headers the gateway sets itself: a client's own value is never passed on. */
const SET_BY_GATEWAY = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/** A `Connection` value that names no other header (nearly every client's): nothing more to drop. */
const PLAIN_CONNECTION = /^\s*(?:keep-alive|close)\s*$/i;

/** Names a `Connection` header lists (RFC 9110 §7.6.1: those headers are about this hop only). */
function connectionNamed(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const value = String(connection);
  if (PLAIN_CONNECTION.test(value)) return undefined;
  const named = new Set<string>();
  for (const h of value.split(',')) {
    const name = h.trim().toLowerCase();
    if (name) named.add(name);
  }
  return named;
}

/** `x-marquee-…`, tested without a substring: the first byte rules out nearly every header. */
const isInternal = (name: string) => name.charCodeAt(0) === 120 /* x */ && name.startsWith(INTERNAL_PREFIX);

/**
 * The headers sent upstream for a client request: the client's own minus hop-by-hop and forged
 * internal headers (and any `Connection`-named ones), plus the service token, the verified identity,
 * the request id and the X-Forwarded-* trio. One pass over the headers (Node's are already lower case);
 * the `Connection` value is parsed only when it names more than keep-alive or close.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  ctx: UpstreamRequestContext,
): Record<string, string | string[]> {
  const named = connectionNamed(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined) continue;
    // Node's parser gives header names in lower case: no lower-casing per header.
    if (HOP_BY_HOP.has(name) || SET_BY_GATEWAY.has(name) || isInternal(name) || named?.has(name)) continue;
    out[name] = value;
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
 * upstream instance (tus answers absolute upload URLs) rewritten onto the gateway's public origin
 * (given as a function when working it out costs something: only a Location needs it). Written into
 * `into` when given (the answer's own headers), else into a new object.
 */
export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  upstreamOrigin: string,
  publicOrigin: string | (() => string),
  into: Record<string, string | string[] | number | undefined> = {},
): Record<string, string | string[]> {
  const out = into as Record<string, string | string[]>;
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined) continue;
    // undici gives header names in lower case, as Node does: no lower-casing per header.
    if (HOP_BY_HOP.has(name) || isInternal(name)) continue;
    out[name] =
      name === 'location' && typeof value === 'string'
        ? rewriteLocation(
            value,
            upstreamOrigin,
            typeof publicOrigin === 'string' ? publicOrigin : publicOrigin(),
          )
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
