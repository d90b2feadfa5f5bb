import type { FastifySchema } from 'fastify';

/**
 * Adds OpenAPI `summary` and `tags` to a route schema. Core's /openapi.json reads them; Fastify's
 * FastifySchema type does not declare them (only @fastify/swagger would), hence this one helper.
 */
export function documented(
  summary: string,
  tags: readonly string[],
  schema: FastifySchema = {},
): FastifySchema {
  return Object.assign({ summary, tags }, schema);
}
