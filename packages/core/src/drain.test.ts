import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { createLogger } from './logger.js';
import { createServiceServer } from './server.js';

const logger = createLogger({ level: 'silent' });

/** A real listening service server with a route held open until `release()`. */
async function listening() {
  const { app } = createServiceServer({ name: 'drained', logger, readiness: { store: () => true } });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inFlight = new Promise<void>((resolve) => (entered = resolve));
  app.get('/slow', async () => {
    entered();
    await held;
    return { done: true };
  });
  app.get('/quick', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, url, release, inFlight };
}

const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

function keepAliveClient(): Agent {
  const agent = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  agents.push(agent);
  return agent;
}

describe('the drain before a graceful close', () => {
  it('answers readiness 503 and Connection: close while it still serves', async () => {
    const { app, url } = await listening();
    const agent = keepAliveClient();
    try {
      const before = await request(`${url}/quick`, { dispatcher: agent });
      await before.body.dump();
      expect(before.headers.connection).not.toBe('close');
      expect((await request(`${url}/readyz/self`, { dispatcher: agent })).statusCode).toBe(200);

      void app.drain(60_000);
      expect(app.draining).toBe(true);
      const self = await request(`${url}/readyz/self`, { dispatcher: agent });
      expect(self.statusCode).toBe(503);
      expect(await self.body.json()).toMatchObject({ checks: { draining: 'shutting down: draining' } });
      const ready = await request(`${url}/readyz`, { dispatcher: agent });
      await ready.body.dump();
      expect(ready.statusCode).toBe(503);

      // Still serving, each answer the connection's last: the client reconnects for the next one.
      const during = await request(`${url}/quick`, { dispatcher: agent });
      expect(during.statusCode).toBe(200);
      expect(during.headers.connection).toBe('close');
      expect(await during.body.json()).toEqual({ ok: true });
      const again = await request(`${url}/quick`, { dispatcher: agent });
      expect(again.statusCode).toBe(200);
      await again.body.dump();
      // Liveness is not readiness: the process is alive while it drains.
      const alive = await request(`${url}/healthz`, { dispatcher: agent });
      await alive.body.dump();
      expect(alive.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('lets a request in flight finish after the drain, then stops accepting', async () => {
    const { app, url, release, inFlight } = await listening();
    const slow = request(`${url}/slow`, { dispatcher: keepAliveClient() });
    await inFlight;
    await app.drain(0);
    const closed = app.close();
    release();
    const answer = await slow;
    expect(answer.statusCode).toBe(200);
    expect(await answer.body.json()).toEqual({ done: true });
    await closed;
    await expect(request(`${url}/quick`, { dispatcher: keepAliveClient() })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
