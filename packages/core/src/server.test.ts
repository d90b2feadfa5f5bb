import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { createLogger } from './logger.js';
import { createServiceServer, redactUrl } from './server.js';
import { DomainError, NotFoundError } from './errors.js';
import { currentCorrelationId } from './context.js';

const logger = createLogger({ level: 'silent' });

function build(ready: () => boolean | string = () => true) {
  const { app } = createServiceServer({
    name: 'test',
    logger,
    readiness: { store: ready },
    problems: [{ 'thing.locked': { status: 423, title: 'Thing is locked' } }],
  });
  app.get('/missing', async () => {
    throw new NotFoundError('title', 't1');
  });
  app.get('/locked', async () => {
    throw new DomainError('thing.locked', 'The thing is locked by another editor', { holder: 'ann' });
  });
  app.get('/boom', async () => {
    throw new Error('secret internals');
  });
  app.get('/ctx', async () => ({ id: currentCorrelationId() }));
  app.post(
    '/typed',
    { schema: { body: Type.Object({ n: Type.Integer({ minimum: 1 }) }) } },
    async (req) => req.body,
  );
  return app;
}

describe('createServiceServer', () => {
  it('answers healthz and readyz', async () => {
    const app = build();
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok', service: 'test' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { store: true } });
  });

  it('answers 503 with the reason when a readiness check fails', async () => {
    const app = build(() => 'migrations pending');
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'not_ready', checks: { store: 'migrations pending' } });
  });

  it('exposes Prometheus metrics including request durations', async () => {
    const app = build();
    await app.inject('/healthz');
    const res = await app.inject('/metrics');
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/http_request_duration_seconds_bucket\{.*service="test"/);
  });

  it('maps domain errors to problem+json with stable codes', async () => {
    const app = build();
    const missing = await app.inject('/missing');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.json()).toMatchObject({
      type: 'urn:marquee:problem:not_found',
      status: 404,
      code: 'not_found',
    });
    const locked = await app.inject('/locked');
    expect(locked.statusCode).toBe(423);
    expect(locked.json()).toMatchObject({
      code: 'thing.locked',
      holder: 'ann',
      detail: 'The thing is locked by another editor',
    });
  });

  it('hides internal errors behind a generic problem carrying the request id', async () => {
    const app = build();
    const res = await app.inject({ url: '/boom', headers: { 'x-request-id': 'req-123' } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/secret internals/);
    expect(res.json()).toMatchObject({ code: 'internal', requestId: 'req-123' });
  });

  it('answers schema violations with a precise 400', async () => {
    const app = build();
    const res = await app.inject({ method: 'POST', url: '/typed', payload: { n: 0 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation' });
    expect(res.json().detail).toMatch(/n.*>= 1|must be >= 1/);
  });

  it('answers unknown routes with problem+json 404', async () => {
    const res = await build().inject('/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found' });
  });

  it('accepts a safe incoming request id, replaces an unsafe one, and exposes it to handlers', async () => {
    const app = build();
    const safe = await app.inject({ url: '/ctx', headers: { 'x-request-id': 'abc-1' } });
    expect(safe.json()).toEqual({ id: 'abc-1' });
    expect(safe.headers['x-request-id']).toBe('abc-1');
    const unsafe = await app.inject({ url: '/ctx', headers: { 'x-request-id': '<script>'.repeat(20) } });
    expect(unsafe.json().id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('redactUrl', () => {
  it('hides media tokens in paths and query secrets', () => {
    expect(redactUrl('/t/abc.def/a/x/master.m3u8')).toBe('/t/[redacted]/a/x/master.m3u8');
    expect(redactUrl('/x?token=abc&y=1')).toBe('/x?token=[redacted]&y=1');
  });
});
