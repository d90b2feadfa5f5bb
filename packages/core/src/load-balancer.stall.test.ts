import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import { ServiceClient } from './http-client.js';

/**
 * The chaos `freeze` goal (issue 13): a replica stopped with SIGSTOP — a real process that accepts
 * connections in the kernel and never answers — is out of the rotation within 5 s, with the gateway's
 * settings (health probe every 3 s, 1 s probe timeout, 10 s call timeout). And a replica that is only
 * slow is never taken out.
 */

const clients: ServiceClient[] = [];
const apps: FastifyInstance[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** A replica in a process of its own, so that it can be frozen; answers /healthz and /who. */
async function replicaProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:http').createServer((req, res) => {
         res.setHeader('content-type', 'application/json');
         res.end(JSON.stringify({ name: 'frozen' }));
       });
       s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const [data] = (await once(child.stdout, 'data')) as [Buffer];
  return { child, url: `http://127.0.0.1:${Number(data.toString().trim())}` };
}

async function inProcess(name: string, delayMs = 0): Promise<string> {
  const app = Fastify();
  let n = 0;
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz/self', async () => ({ ok: true }));
  app.get('/who', async () => {
    // Every other answer is slow: a replica under latency injection, still answering.
    if (delayMs && n++ % 2 === 0) await new Promise((r) => setTimeout(r, delayMs));
    return { name };
  });
  apps.push(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

/** The gateway's upstream settings (services/gateway/src/config.ts) and its health checks. */
function gatewayLikeClient(baseUrls: string[], stallMs?: number): ServiceClient {
  const c = new ServiceClient({
    service: 'streaming',
    baseUrls,
    timeoutMs: 10_000,
    retries: 2,
    ...(stallMs === undefined ? {} : { stallMs }),
  });
  c.startHealthChecks({ intervalMs: 3_000 });
  clients.push(c);
  return c;
}

const ejected = (c: ServiceClient, url: string) => c.instances().find((i) => i.url === url)!.ejected;

/** Calls every `everyMs` until stopped; resolves with every answer's status (or the error's code). */
function steadyCalls(c: ServiceClient, everyMs: number) {
  const calls: Promise<number | string>[] = [];
  const timer = setInterval(() => {
    calls.push(
      c.get('/who').then(
        (r) => r.status,
        (err: { code?: string }) => err.code ?? 'error',
      ),
    );
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      return Promise.all(calls);
    },
  };
}

async function msUntil(check: () => boolean, limitMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) return Infinity;
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

describe('a frozen replica (SIGSTOP)', () => {
  it('is ejected within 5 s under calls, and every call still succeeds', async () => {
    const frozen = await replicaProcess();
    const healthy = await inProcess('healthy');
    const c = gatewayLikeClient([frozen.url, healthy]);
    await new Promise((r) => setTimeout(r, 300)); // first probe round
    const load = steadyCalls(c, 50);
    await new Promise((r) => setTimeout(r, 300));
    frozen.child.kill('SIGSTOP');
    const tookMs = await msUntil(() => ejected(c, frozen.url), 8_000);
    console.info(`frozen replica ejected after ${tookMs} ms (${c.instances()[0]!.reason})`);
    expect(tookMs).toBeLessThan(5_000);
    frozen.child.kill('SIGCONT');
    // Its next probe answers: back in the rotation.
    expect(await msUntil(() => !ejected(c, frozen.url), 6_000)).toBeLessThan(6_000);
    const statuses = await load.stop();
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 30_000);

  it('without stall detection, only the health check takes it out (what the gateway did before)', async () => {
    const frozen = await replicaProcess();
    const healthy = await inProcess('healthy');
    const c = gatewayLikeClient([frozen.url, healthy], 0);
    await new Promise((r) => setTimeout(r, 300));
    const load = steadyCalls(c, 50);
    await new Promise((r) => setTimeout(r, 300));
    frozen.child.kill('SIGSTOP');
    const tookMs = await msUntil(() => ejected(c, frozen.url), 8_000);
    console.info(`health checks alone: ejected after ${tookMs} ms`);
    // Up to a probe interval plus a round plus the probe's own timeout (3 + 1 + 1 s).
    expect(tookMs).toBeLessThan(8_000);
    frozen.child.kill('SIGCONT');
    await load.stop();
  }, 30_000);
});

describe('a slow replica that answers', () => {
  it('is never ejected: every other answer held 1.2 s, for 6 s of steady calls', async () => {
    const slow = await inProcess('slow', 1_200);
    const fast = await inProcess('fast');
    const c = gatewayLikeClient([slow, fast]);
    const load = steadyCalls(c, 50);
    let everEjected = false;
    const end = Date.now() + 6_000;
    while (Date.now() < end) {
      everEjected ||= ejected(c, slow);
      await new Promise((r) => setTimeout(r, 50));
    }
    const statuses = await load.stop();
    expect(everEjected).toBe(false);
    expect(statuses.every((s) => s === 200)).toBe(true);
  }, 30_000);
});
