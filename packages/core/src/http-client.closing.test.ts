import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { Pool } from 'undici';
import { isClosingAnswer } from './closing-replica.js';
import { UpstreamError } from './errors.js';
import { ServiceClient } from './http-client.js';

/**
 * Rolling restarts (issue 13 §3): a replica that is shutting down refuses what reaches it with Fastify's
 * closing 503, and a connection may be reset under a request before any answer byte. The client sends
 * such a call again once to another instance: a closing 503 whatever the method (nothing ran), a reset
 * only when the call is idempotent (GET/HEAD…, or an Idempotency-Key).
 */

const apps: FastifyInstance[] = [];
const servers: Server[] = [];
const clients: ServiceClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A healthy replica, which counts what it was sent. */
async function healthy(name: string) {
  const app = Fastify();
  const seen: string[] = [];
  app.addHook('onRequest', async (req, reply) => {
    seen.push(`${req.method} ${req.url}`);
    void reply.header('x-request-id', 'r-1');
  });
  app.get('/who', async () => ({ name }));
  app.post('/who', async () => ({ name }));
  app.post('/busy', async (_req, reply) =>
    reply.status(503).type('application/problem+json').send({ type: 'about:blank', status: 503 }),
  );
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return { url, seen };
}

/** A raw replica: `answer` decides what each request gets (a closing 503, a reset…). */
async function raw(answer: (res: ServerResponse) => void) {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    answer(res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, hits: () => hits };
}

/** Exactly what Fastify answers on an open connection once close() began (return503OnClosing). */
const closing503 = (res: ServerResponse) => {
  res.writeHead(503, { connection: 'close', 'content-type': 'application/json', 'content-length': '80' });
  res.end('{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}');
};

const JSON_TYPE = { 'content-type': 'application/json' };

function client(baseUrls: string[], retries = 1) {
  const c = new ServiceClient({ service: 'up', baseUrls, retries, balancing: 'round-robin' });
  clients.push(c);
  return c;
}

describe('a closing replica', () => {
  it('is recognised by the answer Fastify gives while it closes, not by a handler’s 503', async () => {
    const app = Fastify({ return503OnClosing: true, forceCloseConnections: 'idle' });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    app.get('/hold', async () => {
      arrived();
      await held;
      return {};
    });
    app.get('/who', async () => ({}));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    // One connection, two requests pipelined: the second reaches the server after close() began.
    const pool = new Pool(url, { connections: 1, pipelining: 2 });
    const first = pool.request({ method: 'GET', path: '/hold' });
    // The connection must be open and its first request running before close() stops the listener
    // (a fixed wait lost that race on a loaded machine: ECONNREFUSED).
    await reached;
    const closed = app.close();
    await new Promise((r) => setTimeout(r, 50));
    const second = pool.request({ method: 'GET', path: '/who' });
    await new Promise((r) => setTimeout(r, 50));
    release();
    const refused = await second;
    await refused.body.dump();
    await (await first).body.dump();
    await closed;
    await pool.close();
    expect(refused.statusCode).toBe(503);
    expect(isClosingAnswer(refused.statusCode, refused.headers)).toBe(true);

    const problem = { 'content-type': 'application/problem+json', 'x-request-id': 'r-1' };
    expect(isClosingAnswer(503, problem)).toBe(false);
    expect(isClosingAnswer(503, { ...problem, 'content-type': 'application/json' })).toBe(false);
    expect(isClosingAnswer(502, { connection: 'close', 'content-type': 'application/json' })).toBe(false);
  });

  it('gets a POST sent again to another instance, which is ejected meanwhile', async () => {
    const shuttingDown = await raw(closing503);
    const other = await healthy('other');
    const c = client([shuttingDown.url, other.url]);
    for (let i = 0; i < 4; i++) {
      const posted = await c.post<{ name: string }>('/who', { n: i });
      expect(posted).toMatchObject({ status: 200, body: { name: 'other' } });
      const streamed = await c.stream('POST', '/who', { body: Buffer.from('{}'), headers: JSON_TYPE });
      expect(streamed.status).toBe(200);
      expect(streamed.instance).toBe(other.url);
      streamed.body.resume();
    }
    // Refused once, then left out of the rotation.
    expect(shuttingDown.hits()).toBe(1);
    expect(c.instances().find((i) => i.url === shuttingDown.url)).toMatchObject({ ejected: true });
  });

  it('does not make a handler’s own 503 to a POST a reason to send it again', async () => {
    const only = await healthy('only');
    const c = client([only.url]);
    const res = await c.stream('POST', '/busy', { body: Buffer.from('{}'), headers: JSON_TYPE });
    res.body.resume();
    expect(res.status).toBe(503);
    expect(only.seen.filter((s) => s === 'POST /busy')).toHaveLength(1);
  });
});

describe('a connection reset before any answer byte', () => {
  const reset = (res: ServerResponse) => res.socket?.destroy();

  it('sends a GET and a POST with an Idempotency-Key again, to the other instance', async () => {
    const dying = await raw(reset);
    const other = await healthy('other');
    const c = client([dying.url, other.url]);
    const calls = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2
          ? c.stream('GET', '/who')
          : c.stream('POST', '/who', {
              body: Buffer.from('{}'),
              headers: { ...JSON_TYPE, 'Idempotency-Key': `k-${i}` },
            }),
      ),
    );
    for (const res of calls) {
      expect(res.status).toBe(200);
      expect(res.instance).toBe(other.url);
      res.body.resume();
    }
    expect(dying.hits()).toBeGreaterThan(0);
  });

  it('does the same for buffered calls (request()): a GET and a keyed POST, each sent once more', async () => {
    const dying = await raw(reset);
    const other = await healthy('other');
    // One retry, round robin: every call that met the reset went to the other replica the second time.
    const c = client([dying.url, other.url], 1);
    for (let i = 0; i < 4; i++) {
      const got = await c.get<{ name: string }>('/who');
      expect(got).toMatchObject({ status: 200, body: { name: 'other' } });
      const posted = await c.post<{ name: string }>(
        '/who',
        { i },
        { headers: { 'Idempotency-Key': `p-${i}` } },
      );
      expect(posted).toMatchObject({ status: 200, body: { name: 'other' } });
    }
    expect(dying.hits()).toBeGreaterThan(0);
    expect(other.seen.filter((s) => s === 'POST /who')).toHaveLength(4);
  });

  it('does not send a POST without one again: it may have been done', async () => {
    const dying = await raw(reset);
    const c = client([dying.url, (await healthy('other')).url]);
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () =>
        c.stream('POST', '/who', { body: Buffer.from('{}'), headers: JSON_TYPE }).then(
          (res) => {
            res.body.resume();
            return res.instance;
          },
          (err: unknown) => err,
        ),
      ),
    );
    // Round robin: two of the four went to the dying instance and failed there, not elsewhere.
    expect(outcomes.filter((o) => o instanceof UpstreamError)).toHaveLength(2);
    expect(dying.hits()).toBe(2);
  });
});
