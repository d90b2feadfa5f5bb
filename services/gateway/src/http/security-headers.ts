import type { ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';
import { contentSecurityPolicy } from '../app/security-policy.js';

/**
 * Helmet's headers, computed once. @fastify/helmet rebuilds every helmet middleware (and re-parses
 * the CSP) on each request — about a tenth of the gateway's CPU per proxied request in a profile —
 * while the headers never change for the life of the process. So helmet runs once against a
 * recording response, and a hook sets the recorded headers on every reply.
 */
export function securityHeaders(options: {
  edgeOrigins: readonly string[];
  https: boolean;
}): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  } as unknown as ServerResponse;
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(options.edgeOrigins) },
    crossOriginEmbedderPolicy: false, // posters and media come from the edges' origins
    strictTransportSecurity: options.https ? { maxAge: 180 * 24 * 3600, includeSubDomains: true } : false,
  })({} as never, recorder, () => undefined);
  return headers;
}

/**
 * What JSON answers need (OWASP REST Security): no sniffing, nothing to render or frame. The full
 * document policy with the edges' origins only matters for the web app's pages, and sending its
 * kilobyte of headers with every API answer was a measurable part of the cost of each proxied call.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export function applySecurityHeaders(app: FastifyInstance, documentHeaders: Record<string, string>): void {
  const apiHeaders = { ...API_SECURITY_HEADERS };
  if (documentHeaders['strict-transport-security']) {
    apiHeaders['strict-transport-security'] = documentHeaders['strict-transport-security'];
  }
  app.addHook('onRequest', (req, reply, done) => {
    void reply.headers(req.url.startsWith('/api/') ? apiHeaders : documentHeaders);
    done();
  });
}
