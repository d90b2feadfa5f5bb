import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { createLogger } from './logger.js';
import { documented } from './openapi.js';
import { createServiceServer } from './server.js';

describe('/openapi.json', () => {
  it('documents every route declared after the factory, from its TypeBox schemas', async () => {
    const { app } = createServiceServer({ name: 'things', logger: createLogger({ level: 'silent' }) });
    app.get(
      '/api/things/:thingId',
      {
        schema: {
          summary: 'One thing',
          params: Type.Object({ thingId: Type.String() }),
          querystring: Type.Object({ expand: Type.Optional(Type.Boolean()) }),
          response: { 200: Type.Object({ thingId: Type.String() }) },
        },
      },
      async (req) => ({ thingId: (req.params as { thingId: string }).thingId }),
    );
    app.post(
      '/api/things',
      {
        schema: documented('Add a thing', ['things'], {
          body: Type.Object({ name: Type.String({ minLength: 1 }) }),
        }),
      },
      async () => ({}),
    );
    app.all('/api/proxy/*', async () => ({}));
    app.get('/api/hidden', { config: { openapi: false } }, async () => ({}));

    const doc = (await app.inject('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Marquee things');
    const get = doc.paths['/api/things/{thingId}'].get;
    expect(get.summary).toBe('One thing');
    expect(get.parameters).toEqual([
      { name: 'thingId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'expand', in: 'query', required: false, schema: { type: 'boolean' } },
    ]);
    expect(get.responses['200'].content['application/json'].schema.properties.thingId).toEqual({
      type: 'string',
    });
    expect(get.responses.default.content['application/problem+json']).toBeDefined();
    expect(doc.paths['/api/things'].post).toMatchObject({ summary: 'Add a thing', tags: ['things'] });
    expect(doc.paths['/api/things'].post.requestBody.content['application/json'].schema.required).toEqual([
      'name',
    ]);
    expect(doc.paths['/api/things/{thingId}'].head).toBeUndefined();
    expect(Object.keys(doc.paths).some((p) => p.includes('*') || p === '/api/hidden')).toBe(false);
    expect(doc.paths['/healthz'].get).toBeDefined();
    expect(doc.components.schemas.Problem.required).toContain('code');
  });

  it('lets a service answer /readyz with its own report', async () => {
    let ready = false;
    const { app } = createServiceServer({
      name: 'agg',
      logger: createLogger({ level: 'silent' }),
      readinessReport: async () => ({ ready, body: { status: ready ? 'ready' : 'not_ready', services: {} } }),
    });
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    ready = true;
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', services: {} });
  });
});
