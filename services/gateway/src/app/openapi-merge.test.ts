import { describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '@marquee/core';
import { mergeOpenApi } from './openapi-merge.js';

const doc = (paths: Record<string, string[]>, schemas: Record<string, unknown> = {}): OpenApiDocument => ({
  openapi: '3.1.0',
  info: { title: 'x', version: '1' },
  paths: Object.fromEntries(
    Object.entries(paths).map(([p, methods]) => [
      p,
      Object.fromEntries(methods.map((m) => [m, { responses: { 200: { description: m } } }])),
    ]),
  ),
  components: { schemas },
});

describe('mergeOpenApi', () => {
  const own = doc({
    '/healthz': ['get'],
    '/readyz': ['get'],
    '/metrics': ['get'],
    '/api/openapi.json': ['get'],
  });
  const merged = mergeOpenApi(own, [
    {
      service: 'users',
      doc: doc(
        {
          '/api/auth/login': ['post'],
          '/api/profiles/{profileId}': ['patch', 'delete'],
          '/internal/jwks': ['get'],
        },
        { Profile: { type: 'object' } },
      ),
    },
    {
      service: 'streaming',
      doc: doc({ '/api/admin/titles': ['post'], '/api/steering/{sessionId}': ['get'] }),
    },
    { service: 'late', doc: doc({ '/api/auth/login': ['post'] }, { Profile: { type: 'string' } }) },
  ]);

  it('keeps public API paths and the gateway probes, drops internal ones and /metrics', () => {
    expect(Object.keys(merged.paths).sort()).toEqual([
      '/api/admin/titles',
      '/api/auth/login',
      '/api/openapi.json',
      '/api/profiles/{profileId}',
      '/api/steering/{sessionId}',
      '/healthz',
      '/readyz',
    ]);
  });

  it('marks which operations need a bearer token, from the routing table', () => {
    expect(merged.paths['/api/auth/login']!.post).toMatchObject({ security: [], tags: ['users'] });
    expect(merged.paths['/api/profiles/{profileId}']!.patch).toMatchObject({ security: [{ bearer: [] }] });
    expect(merged.paths['/api/admin/titles']!.post).toMatchObject({
      security: [{ bearer: [] }],
      'x-marquee-service': 'streaming',
    });
    expect(merged.paths['/api/steering/{sessionId}']!.get).toMatchObject({ security: [] });
    expect(merged.paths['/readyz']!.get).toMatchObject({ security: [], tags: ['gateway'] });
  });

  it('lets the first owner of a path or schema win', () => {
    expect(merged.paths['/api/auth/login']!.post).toMatchObject({ 'x-marquee-service': 'users' });
    expect(merged.components?.schemas?.Profile).toEqual({ type: 'object' });
  });
});
