import type { OpenApiDocument } from '@marquee/core';
import { matchRoute } from './routing.js';

export interface ServiceDocument {
  service: string;
  doc: OpenApiDocument;
}

/** Paths of the gateway's own document that are public API (probes, the document itself, its own admin answers). */
const GATEWAY_PUBLIC = new Set([
  '/healthz',
  '/readyz',
  '/readyz/self',
  '/api/openapi.json',
  '/api/admin/chaos',
]);

/** Who may call an operation, from the routing table: documents say which need a bearer token. */
function security(path: string, method: string): unknown[] | undefined {
  if (!path.startsWith('/api/') || path === '/api/openapi.json') return [];
  const match = matchRoute(method.toUpperCase(), path.replace(/\{([^}]+)\}/g, '$1'));
  if (!match) return undefined;
  return match.rule.access === 'public' || match.rule.access === 'optional' ? [] : [{ bearer: [] }];
}

/**
 * One document for the public API: the `/api/` paths of every service's document (internal paths
 * stay out), tagged with the owning service and marked with the bearer requirement the gateway
 * enforces, plus the gateway's own public paths. Component schemas are merged, first one wins.
 */
export function mergeOpenApi(own: OpenApiDocument, services: readonly ServiceDocument[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const schemas: Record<string, unknown> = { ...own.components?.schemas };
  const sources: ServiceDocument[] = [
    { service: 'gateway', doc: { ...own, paths: filterPaths(own.paths, (p) => GATEWAY_PUBLIC.has(p)) } },
    ...services.map((s) => ({ ...s, doc: { ...s.doc, paths: filterPaths(s.doc.paths, isPublicApi) } })),
  ];
  for (const { service, doc } of sources) {
    for (const [path, operations] of Object.entries(doc.paths)) {
      const target = (paths[path] ??= {});
      for (const [method, op] of Object.entries(operations)) {
        if (target[method]) continue;
        const operation = { ...(op as Record<string, unknown>) };
        operation.tags ??= [service];
        operation['x-marquee-service'] = service;
        const required = security(path, method);
        if (required) operation.security = required;
        target[method] = operation;
      }
    }
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) schemas[name] ??= schema;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Marquee API',
      version: own.info.version,
      description: 'The public API of Marquee, served by the gateway. Errors are RFC 9457 problem+json.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
  } as OpenApiDocument;
}

const isPublicApi = (path: string) => path.startsWith('/api/');

function filterPaths(
  paths: OpenApiDocument['paths'],
  keep: (path: string) => boolean,
): OpenApiDocument['paths'] {
  return Object.fromEntries(Object.entries(paths).filter(([p]) => keep(p)));
}
