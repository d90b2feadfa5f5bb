import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { putAsset, startEdge } from './harness.js';

/**
 * An edge told to stop (SIGTERM → drain, packages/core/src/drain.ts) keeps answering media while its
 * readiness says 503, and makes each answer its connection's last — on the lean responder's path as
 * on Node's — so players reconnect (to the other pathway once steering has moved them) instead of
 * meeting a socket closed under a request.
 */
describe('an edge draining before shutdown', () => {
  let e: Awaited<ReturnType<typeof startEdge>>;
  let segment: string;

  beforeAll(async () => {
    e = await startEdge();
    putAsset(e.origin, 'asset-1');
    segment = `/t/${e.token({ asset: 'asset-1' })}/a/asset-1/v360/seg_00001.m4s`;
  });
  afterAll(async () => {
    await e?.close();
  });

  it('serves media with Connection: close on both paths and answers readiness 503', async () => {
    const agent = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
    try {
      const before = await request(`${e.url}${segment}`, { dispatcher: agent });
      await before.body.dump();
      expect(before.statusCode).toBe(200);
      expect(before.headers.connection).toBeUndefined();

      void e.edge.app.drain(60_000);
      const ready = await request(`${e.url}/readyz/self`, { dispatcher: agent });
      await ready.body.dump();
      expect(ready.statusCode).toBe(503);

      // The lean responder's path (a fresh connection's first request is a media GET).
      const socket = connect(Number(new URL(e.url).port), '127.0.0.1');
      let raw = '';
      socket.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1')));
      const ended = new Promise<void>((resolve) => socket.once('end', resolve));
      socket.write(`GET ${segment} HTTP/1.1\r\nHost: edge\r\n\r\n`);
      await ended;
      socket.destroy();
      expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      expect(raw.toLowerCase()).toContain('\r\nconnection: close\r\n');

      // A kept-alive connection that Node's server holds (the readiness probe went there).
      const during = await request(`${e.url}${segment}`, { dispatcher: agent });
      await during.body.dump();
      expect(during.statusCode).toBe(200);
      expect(during.headers.connection).toBe('close');
    } finally {
      await agent.close();
    }
  });
});
