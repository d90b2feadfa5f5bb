import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import {
  bearer,
  mintToken,
  newSigningKey,
  startGateway,
  startUpstream,
  type TestGateway,
  type TestUpstream,
} from './harness.js';

/**
 * A small upstream answer leaves the gateway through its own writeHead + end (http/forward.ts), past
 * Fastify's reply pipeline: what that pipeline added must still be there.
 */
const SCRAPE = 'scrape-token-0123456789';

describe('a buffered answer through the gateway', () => {
  let users: TestUpstream;
  let gw: TestGateway;
  let token: string;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const key = await newSigningKey('key-1');
    users = await startUpstream('users', (app) => {
      app.get('/internal/jwks', async () => ({ keys: [key.jwk] }));
      app.get('/api/account/teapot', async (_req, reply) =>
        reply
          .status(409)
          .type('application/problem+json')
          .header('keep-alive', 'timeout=5')
          .send({ type: 'about:blank', title: 'Conflict', status: 409, code: 'conflict' }),
      );
      app.get('/api/account/bytes', async (_req, reply) => {
        reply.hijack();
        reply.raw.writeHead(200, { 'content-length': '3' }); // no content type at all
        reply.raw.end('abc');
      });
    });
    token = await mintToken(key, { sub: 'acc-1', sid: 's-9' });
    const destination = { write: (line: string) => void lines.push(JSON.parse(line)) };
    gw = await startGateway(
      { users: [users.url] },
      { logger: createLogger({ level: 'info', destination }), settings: { METRICS_TOKEN: SCRAPE } },
    );
    await gw.gateway.start();
  });
  afterAll(async () => {
    await gw.close();
    await users.close();
  });

  it('carries the upstream status, body and headers, the request id and the security headers', async () => {
    const res = await gw.app.inject({
      url: '/api/account?x=1',
      headers: { ...bearer(token), 'x-request-id': 'req-fast-1' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ service: 'users', url: '/api/account?x=1' });
    expect(res.json().headers['x-marquee-account-id']).toBe('acc-1');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(res.rawPayload.length));
    expect(res.headers['x-request-id']).toBe('req-fast-1');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-marquee-internal']).toBeUndefined(); // internal headers never leave
  });

  it('passes an upstream problem+json as it came, hop-by-hop headers dropped', async () => {
    const res = await gw.app.inject({ url: '/api/account/teapot', headers: bearer(token) });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toEqual({ type: 'about:blank', title: 'Conflict', status: 409, code: 'conflict' });
    expect(res.headers['keep-alive']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('gives a body without a content type the one Fastify would (octet-stream)', async () => {
    const res = await gw.app.inject({ url: '/api/account/bytes', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('abc');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-length']).toBe('3');
  });

  it('writes the access-log line and counts the request in the duration histogram', async () => {
    lines.length = 0;
    await gw.app.inject({
      url: '/api/account?token=secret',
      headers: { ...bearer(token), 'x-request-id': 'req-log-1' },
    });
    const access = lines.find((l) => l.msg === 'request' && l.reqId === 'req-log-1');
    expect(access).toMatchObject({
      method: 'GET',
      url: '/api/account?token=[redacted]',
      status: 200,
      correlationId: 'req-log-1',
    });
    expect(JSON.stringify(lines)).not.toContain(token);
    const metrics = await gw.app.inject({ url: '/metrics', headers: bearer(SCRAPE) });
    expect(metrics.body).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/api\/\*"[^}]*status="200"/,
    );
  });
});
