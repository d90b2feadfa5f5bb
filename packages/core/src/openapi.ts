import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';

/** An OpenAPI 3.1 document; kept loose because services only produce and merge them. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
  [extension: string]: unknown;
}

export interface DocumentedRoute {
  method: string;
  url: string;
  schema?: Record<string, unknown>;
}

/** Routes opt out with `config: { openapi: false }` (catch-alls, internal plumbing). */
declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: boolean;
  }
}

/**
 * Records every route declared on `app` from now on, with its TypeBox schemas. onRoute hooks run
 * synchronously at declaration, so this must be called before the routes are declared (the server
 * factory does it first thing) — which is why it is not @fastify/swagger, whose hook is only installed
 * once its plugin loads and would silently miss routes declared right after createServiceServer().
 */
export function collectRoutes(app: FastifyInstance): DocumentedRoute[] {
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.openapi === false || route.url.includes('*')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Fastify adds a HEAD twin to every GET, with the same schema; HEAD is implied by GET in docs.
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, schema: route.schema as Record<string, unknown> | undefined });
    }
  });
  return routes;
}

/**
 * Adds OpenAPI `summary` and `tags` to a route schema (the document below reads them); Fastify's
 * FastifySchema type does not declare them (only @fastify/swagger would), hence this one helper.
 */
export function documented(
  summary: string,
  tags: readonly string[],
  schema: FastifySchema = {},
): FastifySchema {
  return Object.assign({ summary, tags }, schema);
}

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details; `code` is stable',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
  },
};

/** Plain JSON: drops TypeBox's symbol keys and functions. */
const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

function parameters(schema: unknown, where: 'path' | 'query' | 'header'): unknown[] {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (s?.required ?? []).includes(name),
    schema: plain(property),
  }));
}

function operation(route: DocumentedRoute): Record<string, unknown> {
  const schema = route.schema ?? {};
  const op: Record<string, unknown> = {};
  for (const key of ['summary', 'description', 'tags', 'operationId', 'deprecated']) {
    if (schema[key] !== undefined) op[key] = schema[key];
  }
  const params = [
    ...parameters(schema.params, 'path'),
    ...parameters(schema.querystring, 'query'),
    ...parameters(schema.headers, 'header'),
  ];
  if (params.length > 0) op.parameters = params;
  if (schema.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: plain(schema.body) } } };
  }
  const responses: Record<string, unknown> = {};
  for (const [status, body] of Object.entries((schema.response as Record<string, unknown>) ?? {})) {
    const description = (body as { description?: string }).description ?? `${status} answer`;
    responses[status] = { description, content: { 'application/json': { schema: plain(body) } } };
  }
  if (Object.keys(responses).length === 0) responses['200'] = { description: 'answer' };
  responses.default = {
    description: 'an error',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  op.responses = responses;
  return op;
}

/** Builds the OpenAPI 3.1 document of the collected routes (`:param` becomes `{param}`). */
export function buildOpenApi(
  routes: readonly DocumentedRoute[],
  info: OpenApiDocument['info'],
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return { openapi: '3.1.0', info, paths, components: { schemas: { Problem: PROBLEM_SCHEMA } } };
}
