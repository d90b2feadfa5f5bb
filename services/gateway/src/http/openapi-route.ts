import type { FastifyInstance, FastifySchema } from 'fastify';
import type { OpenApiDocument } from '@marquee/core';
import { mergeOpenApi, type ServiceDocument } from '../app/openapi-merge.js';
import type { Upstreams } from './upstreams.js';

/**
 * GET /api/openapi.json: the gateway's own document merged with every service's /openapi.json. A
 * service that cannot answer is left out for now; the merged document is reused for a minute when
 * complete, a few seconds when not (so a service that starts later appears soon).
 */
export function openApiRoute(app: FastifyInstance, upstreams: Upstreams): void {
  let cached: { until: number; doc: OpenApiDocument } | undefined;

  const collect = async (): Promise<{ doc: OpenApiDocument; complete: boolean }> => {
    const own = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
    const answers = await Promise.all(
      Object.values(upstreams).map(async (u): Promise<ServiceDocument | undefined> => {
        try {
          const res = await u.client.get<OpenApiDocument>('/openapi.json', { timeoutMs: 2_000 });
          return res.status === 200 && typeof res.body === 'object' && res.body?.paths
            ? { service: u.name, doc: res.body }
            : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    const docs = answers.filter((a): a is ServiceDocument => a !== undefined);
    return { doc: mergeOpenApi(own, docs), complete: docs.length === answers.length };
  };

  // FastifySchema does not declare OpenAPI's summary; core's generator reads it all the same.
  const summary = 'This document: the public API of every service, merged';
  const schema = Object.assign({ summary }, {} as FastifySchema);
  app.get('/api/openapi.json', { schema }, async () => {
    if (cached && cached.until > Date.now()) return cached.doc;
    const { doc, complete } = await collect();
    cached = { until: Date.now() + (complete ? 60_000 : 5_000), doc };
    return doc;
  });
}
