import { afterEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { ServiceClient } from './http-client.js';

const started: FastifyInstance[] = [];
const clients: ServiceClient[] = [];

/** A real upstream that says who it is; `port` lets a test bring a killed one back on the same address. */
async function upstream(name: string, port = 0): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  app.get('/who', async () => ({ name }));
  app.post('/who', async () => ({ name }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz/self', async () => ({ status: 'ready' }));
  app.get('/status/:code', async (req, reply) =>
    reply.status(Number((req.params as { code: string }).code)).send({ name }),
  );
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  app.put('/echo', async (req, reply) => {
    const chunks: Buffer[] = [];
    for await (const c of req.body as Readable) chunks.push(c as Buffer);
    return reply.header('x-seen', String(Buffer.concat(chunks).length)).send(Buffer.concat(chunks));
  });
  const url = await app.listen({ port, host: '127.0.0.1' });
  started.push(app);
  return { app, url };
}

function client(baseUrls: string[], extra: Partial<ConstructorParameters<typeof ServiceClient>[0]> = {}) {
  const c = new ServiceClient({ service: 'up', baseUrls, retries: 2, ...extra });
  clients.push(c);
  return c;
}

const until = async (check: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(started.splice(0).map((a) => a.close()));
});

describe('ServiceClient load balancing', () => {
  it('spreads calls over the instances', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    const c = client([a.url, b.url]);
    const names = await Promise.all(Array.from({ length: 6 }, () => c.get<{ name: string }>('/who')));
    const counts = names.reduce<Record<string, number>>(
      (m, r) => ({ ...m, [r.body.name]: (m[r.body.name] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ a: 3, b: 3 });
  });

  it('leaves out the instances a stream call is told to avoid, unless they are all there is', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    const c = client([a.url, b.url]);
    const nameOf = async (avoid: Set<string>) => {
      const res = await c.stream('GET', '/who', { avoid });
      return ((await new Response(Readable.toWeb(res.body) as ReadableStream).json()) as { name: string })
        .name;
    };
    for (let i = 0; i < 4; i++) expect(await nameOf(new Set([a.url]))).toBe('b');
    for (let i = 0; i < 4; i++) expect(await nameOf(new Set([b.url]))).toBe('a');
    const names = new Set<string>();
    for (let i = 0; i < 4; i++) names.add(await nameOf(new Set([a.url, b.url])));
    expect(names).toEqual(new Set(['a', 'b']));
  });

  it('ejects an instance that fails its health check and re-admits it when it is back', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    const c = client([a.url, b.url]);
    const changes: string[] = [];
    c.startHealthChecks({ intervalMs: 50, timeoutMs: 200 }, (url, healthy) =>
      changes.push(`${url === b.url ? 'b' : 'a'}:${healthy ? 'up' : 'down'}`),
    );
    const port = Number(new URL(b.url).port);
    await b.app.close();
    await until(() => c.instances().find((i) => i.url === b.url)!.ejected);
    const names = await Promise.all(Array.from({ length: 10 }, () => c.get<{ name: string }>('/who')));
    expect(names.every((r) => r.status === 200 && r.body.name === 'a')).toBe(true);

    await upstream('b-again', port);
    await until(() => !c.instances().find((i) => i.url === b.url)!.ejected);
    const after = await Promise.all(Array.from({ length: 4 }, () => c.get<{ name: string }>('/who')));
    expect(after.map((r) => r.body.name)).toContain('b-again');
    expect(changes).toEqual(['b:down', 'b:up']);
  });

  it('without health checks, a refused connection ejects the instance and the retry lands elsewhere', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    await b.app.close();
    const c = client([b.url, a.url], { balancing: 'round-robin', ejectionMs: 60_000 });
    for (let i = 0; i < 4; i++) expect((await c.get<{ name: string }>('/who')).body.name).toBe('a');
    expect(c.instances().find((i) => i.url === b.url)).toMatchObject({ ejected: true });
    expect(c.circuit).toBe('closed');
  });
});

describe('a call that never reached an instance', () => {
  it('sends even a POST again, to another instance, when the connection was refused (nothing was sent)', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    await b.app.close();
    const c = client([b.url, a.url], { balancing: 'round-robin', ejectionMs: 60_000 });
    for (let i = 0; i < 4; i++) {
      const posted = await c.post<{ name: string }>('/who', { n: i });
      expect(posted.status).toBe(200);
      expect(posted.body.name).toBe('a');
    }
    const streamed = await c.stream('POST', '/who', {
      body: Buffer.from('{}'),
      headers: { 'content-type': 'application/json' },
    });
    expect(streamed.status).toBe(200);
    streamed.body.resume();
  });
});

describe('ServiceClient.stream', () => {
  it('streams both bodies and returns any status with the instance that answered', async () => {
    const a = await upstream('a');
    const c = client([a.url]);
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const res = await c.stream('PUT', '/echo', {
      body: Readable.from([big.subarray(0, 1024), big.subarray(1024)]),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    expect(res.instance).toBe(a.url);
    expect(res.headers['x-seen']).toBe(String(big.length));
    let received = 0;
    for await (const chunk of res.body) received += (chunk as Buffer).length;
    expect(received).toBe(big.length);

    const missing = await c.stream('GET', '/status/404');
    expect(missing.status).toBe(404);
    missing.body.resume();
  });

  it('retries an idempotent call on 503 but returns the last 503 when it persists', async () => {
    const a = await upstream('a');
    const c = client([a.url], { retries: 2, breakerThreshold: 100 });
    const res = await c.stream('GET', '/status/503');
    expect(res.status).toBe(503);
    expect(await new Response(Readable.toWeb(res.body) as ReadableStream).json()).toEqual({ name: 'a' });
  });

  it('turns a dead upstream into upstream.unavailable', async () => {
    const c = client(['http://127.0.0.1:1'], { retries: 0 });
    await expect(c.stream('POST', '/x', { body: Readable.from(['x']) })).rejects.toMatchObject({
      code: 'upstream.unavailable',
    });
  });
});
