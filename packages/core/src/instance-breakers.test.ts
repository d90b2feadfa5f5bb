import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { ServiceClient } from './http-client.js';

const started: FastifyInstance[] = [];
const clients: ServiceClient[] = [];

/** A real upstream that says who it is, answering `failing()` ? 503 : 200. */
async function upstream(name: string, failing: () => boolean): Promise<string> {
  const app = Fastify();
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/who', async (_req, reply) => reply.status(failing() ? 503 : 200).send({ name }));
  app.post('/who', async (_req, reply) => reply.status(failing() ? 503 : 200).send({ name }));
  started.push(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

function client(baseUrls: string[], extra: Partial<ConstructorParameters<typeof ServiceClient>[0]> = {}) {
  const c = new ServiceClient({
    service: 'up',
    baseUrls,
    retries: 0,
    breakerThreshold: 3,
    breakerCooldownMs: 400,
    balancing: 'round-robin',
    ...extra,
  });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(started.splice(0).map((a) => a.close()));
});

describe('a circuit breaker per instance', () => {
  it("opens only the failing instance's breaker: its healthy sibling keeps answering every call", async () => {
    let bFails = true;
    const a = await upstream('a', () => false);
    const b = await upstream('b', () => bFails);
    // The cooldown outlasts the checks below even on a busy machine (no half-open trial among them).
    const c = client([a, b], { breakerCooldownMs: 3_000 });

    // A burst: answers from b are 503s, each a failure of b's breaker only.
    const burst = await Promise.all(Array.from({ length: 12 }, () => c.get<{ name: string }>('/who')));
    expect(burst.filter((r) => r.status === 503).every((r) => r.body.name === 'b')).toBe(true);

    // b's breaker is open: every call now lands on a, none fails fast (with one breaker per service,
    // b's consecutive failures opened the circuit for a too, and these calls threw "breaker is open").
    const after = [];
    for (let i = 0; i < 10; i++) after.push(await c.get<{ name: string }>('/who'));
    for (let i = 0; i < 4; i++) after.push(await c.post<{ name: string }>('/who', {}));
    expect(after.map((r) => `${r.status} ${r.body.name}`)).toEqual(Array(14).fill('200 a'));
    const states = Object.fromEntries(c.instances().map((i) => [i.url === a ? 'a' : 'b', i]));
    expect(states.a).toMatchObject({ circuit: 'closed', ejected: false });
    expect(states.b).toMatchObject({ circuit: 'open', ejected: true, reason: 'circuit breaker open' });
    expect(c.circuit).toBe('partly-open');

    // b recovers: after the cooldown one trial call closes its breaker and it takes calls again.
    bFails = false;
    await new Promise((r) => setTimeout(r, 3_100));
    const names = [];
    for (let i = 0; i < 6; i++) names.push((await c.get<{ name: string }>('/who')).body.name);
    expect(names).toContain('b');
    expect(c.instances().every((i) => i.circuit === 'closed')).toBe(true);
    expect(c.circuit).toBe('closed');
  });

  it('fails fast as upstream.unavailable only when every instance has opened its breaker', async () => {
    const a = await upstream('a', () => true);
    const b = await upstream('b', () => true);
    const c = client([a, b]);
    for (let i = 0; i < 6; i++) expect((await c.get('/who')).status).toBe(503);
    expect(c.circuit).toBe('open');
    await expect(c.get('/who')).rejects.toMatchObject({
      code: 'upstream.unavailable',
      message: expect.stringMatching(/circuit breaker is open/),
    });
  });
});
