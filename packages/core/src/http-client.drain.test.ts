import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ServiceClient } from './http-client.js';
import { createLogger } from './logger.js';
import { createServiceServer } from './server.js';

/**
 * Rolling restarts (issue 13 §3) with a drain: a replica told to stop answers /readyz/self 503 and
 * `Connection: close` while it still serves, the client's health checks (on /readyz/self) take it out
 * of the rotation, and when it closes nobody is sending to it — no call fails, none is even retried.
 */

const logger = createLogger({ level: 'silent' });
const apps: FastifyInstance[] = [];
const clients: ServiceClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function replica(name: string) {
  const { app } = createServiceServer({ name, logger });
  let calls = 0;
  app.get('/who', async () => {
    calls++;
    return { name };
  });
  app.post('/who', async () => {
    calls++;
    return { name };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return { app, url, calls: () => calls };
}

const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('a draining replica', () => {
  it('leaves the rotation at the next health check while serving, and closes with nothing sent to it', async () => {
    const stopping = await replica('stopping');
    const staying = await replica('staying');
    // No retries: a call that met the closing replica would fail here instead of being hidden.
    const c = new ServiceClient({
      service: 'up',
      baseUrls: [stopping.url, staying.url],
      retries: 0,
      balancing: 'round-robin',
    });
    clients.push(c);
    c.startHealthChecks({ intervalMs: 50, timeoutMs: 1_000 });
    const both = await Promise.all(Array.from({ length: 4 }, () => c.get<{ name: string }>('/who')));
    expect(new Set(both.map((r) => r.body.name))).toEqual(new Set(['stopping', 'staying']));

    void stopping.app.drain(60_000);
    await until(() => c.instances().find((i) => i.url === stopping.url)!.ejected);
    const servedBefore = stopping.calls();
    await stopping.app.close();
    const after = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 ? c.get<{ name: string }>('/who') : c.post<{ name: string }>('/who', {}),
      ),
    );
    expect(after.map((r) => `${r.status} ${r.body.name}`)).toEqual(Array(10).fill('200 staying'));
    expect(stopping.calls()).toBe(servedBefore);
  });
});
