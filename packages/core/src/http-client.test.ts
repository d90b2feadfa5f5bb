import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { ServiceClient } from './http-client.js';
import { UpstreamError } from './errors.js';
import { runWithContext } from './context.js';

let upstream: FastifyInstance;
let url: string;
const counts = new Map<string, number>();
const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1) && (counts.get(k) ?? 0);

beforeAll(async () => {
  upstream = Fastify();
  upstream.get('/ok', async (req) => ({
    id: req.headers['x-request-id'] ?? null,
    token: req.headers['x-t'] ?? null,
  }));
  upstream.get('/flaky', async (_req, reply) =>
    bump('flaky') < 3 ? reply.status(503).send({}) : { ok: true },
  );
  upstream.post('/flaky-post', async (_req, reply) => {
    bump('flaky-post');
    return reply.status(503).send({ no: true });
  });
  upstream.get('/slow', async () => new Promise((r) => setTimeout(() => r({ late: true }), 500)));
  upstream.get('/missing', async (_req, reply) => reply.status(404).send({ code: 'not_found' }));
  upstream.get('/down', async (_req, reply) => {
    bump('down');
    return reply.status(503).send({});
  });
  url = await upstream.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => upstream.close());

describe('ServiceClient', () => {
  it('forwards the correlation id and configured headers', async () => {
    const client = new ServiceClient({ service: 'up', baseUrls: [url], headers: { 'x-t': 'secret' } });
    const res = await runWithContext({ correlationId: 'corr-9' }, () =>
      client.get<{ id: string; token: string }>('/ok'),
    );
    expect(res.body).toEqual({ id: 'corr-9', token: 'secret' });
    await client.close();
  });

  it('retries idempotent calls on 503 and succeeds', async () => {
    const client = new ServiceClient({ service: 'up', baseUrls: [url], retries: 3 });
    const res = await client.get('/flaky');
    expect(res.status).toBe(200);
    expect(counts.get('flaky')).toBe(3);
    await client.close();
  });

  it('never retries a non-idempotent call', async () => {
    const client = new ServiceClient({ service: 'up', baseUrls: [url], retries: 3 });
    const res = await client.post('/flaky-post', { a: 1 });
    expect(res.status).toBe(503);
    expect(counts.get('flaky-post')).toBe(1);
    await client.close();
  });

  it('returns 4xx answers without retrying', async () => {
    const client = new ServiceClient({ service: 'up', baseUrls: [url] });
    const res = await client.get('/missing');
    expect(res.status).toBe(404);
    await client.close();
  });

  it('times out with an UpstreamError', async () => {
    const client = new ServiceClient({ service: 'up', baseUrls: [url], timeoutMs: 100, retries: 0 });
    await expect(client.get('/slow')).rejects.toMatchObject({ code: 'upstream.timeout' });
    await client.close();
  });

  it('opens the breaker after consecutive failures and fails fast', async () => {
    const client = new ServiceClient({
      service: 'up',
      baseUrls: [url],
      retries: 0,
      breakerThreshold: 3,
      breakerCooldownMs: 60_000,
    });
    for (let i = 0; i < 3; i++) expect((await client.get('/down')).status).toBe(503);
    const before = counts.get('down');
    const err = await client.get('/down').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'upstream.unavailable' });
    expect(counts.get('down')).toBe(before);
    await client.close();
  });

  it('reports an unreachable upstream as upstream.unavailable', async () => {
    const client = new ServiceClient({ service: 'gone', baseUrls: ['http://127.0.0.1:1'], retries: 1 });
    await expect(client.get('/x')).rejects.toMatchObject({ code: 'upstream.unavailable' });
    await client.close();
  });
});
