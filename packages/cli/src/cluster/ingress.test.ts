import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../ports.js';
import { Ingress } from './ingress.js';

/** A stand-in gateway: answers /readyz and /readyz/self, and echoes who it is, the method and the body of anything else. */
async function gateway(name: string): Promise<{ url: string; server: http.Server; hits: string[] }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/readyz' || req.url === '/readyz/self') return res.writeHead(200).end('{}');
      hits.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(200, {
        'content-type': 'text/plain',
        'x-forwarded-for-seen': String(req.headers['x-forwarded-for']),
      });
      res.end(`${name}:${body}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function ingressOver(backends: string[]): Promise<Ingress> {
  const ingress = new Ingress({ backends, probeIntervalMs: 100 });
  await ingress.listen();
  cleanups.push(() => ingress.close());
  return ingress;
}

describe('Ingress', () => {
  it('spreads requests over the gateways and appends the viewer to X-Forwarded-For', async () => {
    const a = await gateway('a');
    const b = await gateway('b');
    cleanups.push(
      async () => void a.server.close(),
      async () => void b.server.close(),
    );
    const ingress = await ingressOver([a.url, b.url]);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i += 1) {
      const res = await fetch(`${ingress.url}/api/x`, { headers: { 'x-forwarded-for': '127.9.0.1' } });
      seen.add((await res.text()).split(':')[0]!);
      expect(res.headers.get('x-forwarded-for-seen')).toBe('127.9.0.1, 127.0.0.1');
    }
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('replays a POST on another gateway when the first refused the connection, and answers 503 with none left', async () => {
    const a = await gateway('a');
    cleanups.push(async () => void a.server.close());
    const dead = `http://127.0.0.1:${await freePort('127.0.0.1')}`;
    const ingress = await ingressOver([dead, a.url]);
    for (let i = 0; i < 4; i += 1) {
      const res = await fetch(`${ingress.url}/api/playback`, { method: 'POST', body: `start-${i}` });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`a:start-${i}`);
    }
    expect(a.hits).toHaveLength(4);
    // A request without a body (no Content-Length, no Transfer-Encoding) is replayed too: a viewer's DELETE.
    const dead2 = `http://127.0.0.1:${await freePort('127.0.0.1')}`;
    const again = await ingressOver([dead2, a.url]);
    for (let i = 0; i < 2; i += 1) {
      const res = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${again.url}/api/playback/s${i}`, { method: 'DELETE' }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(res).toBe(200);
    }
    expect(a.hits.slice(-2)).toEqual(['DELETE /api/playback/s0 ', 'DELETE /api/playback/s1 ']);
    ingress.drain(a.url);
    const none = await fetch(`${ingress.url}/api/x`);
    expect(none.status).toBe(503);
  });

  it('sends nothing new to a draining gateway and reports when it is idle', async () => {
    const a = await gateway('a');
    const b = await gateway('b');
    cleanups.push(
      async () => void a.server.close(),
      async () => void b.server.close(),
    );
    const ingress = await ingressOver([a.url, b.url]);
    ingress.drain(a.url);
    for (let i = 0; i < 4; i += 1) expect(await (await fetch(`${ingress.url}/x`)).text()).toBe('b:');
    expect(await ingress.idle(a.url, 1_000)).toBe(true);
    expect(a.hits).toEqual([]);
    ingress.drain(a.url, false);
    const names = new Set<string>();
    for (let i = 0; i < 4; i += 1) names.add((await (await fetch(`${ingress.url}/x`)).text()).split(':')[0]!);
    expect(names.has('a')).toBe(true);
  });

  it('injects errors and latency only while an experiment sets them, and never into probes', async () => {
    const a = await gateway('a');
    cleanups.push(async () => void a.server.close());
    const proxy = await ingressOver([a.url]);
    proxy.setFaults({ errorShare: 1, errorStatus: 503, latencyShare: 0, latencyMs: 0 });
    expect((await fetch(`${proxy.url}/api/titles`)).status).toBe(503);
    expect((await fetch(`${proxy.url}/readyz`)).status).toBe(200);
    proxy.setFaults({ errorShare: 0, errorStatus: 503, latencyShare: 1, latencyMs: 300 });
    const started = Date.now();
    expect(await (await fetch(`${proxy.url}/api/titles`)).text()).toBe('a:');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    proxy.setFaults(undefined);
    expect((await fetch(`${proxy.url}/api/titles`)).status).toBe(200);
    expect(a.hits).toEqual(['GET /api/titles ', 'GET /api/titles ']);
  });
  it('survives a viewer that goes away in the middle of a request body', async () => {
    const a = await gateway('a');
    cleanups.push(async () => void a.server.close());
    const ingress = await ingressOver([a.url]);
    const { port } = new URL(ingress.url);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/x',
        headers: { 'content-length': '1000' },
      });
      req.on('error', () => resolve());
      req.write('only part of it');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${ingress.url}/api/y`, { method: 'POST', body: 'whole' });
    expect(await res.text()).toBe('a:whole');
  });
});
