import { Writable } from 'node:stream';
import { currentCorrelationId } from './context.js';
import { createLogger } from './logger.js';
import { describe, expect, it } from 'vitest';
import { createServiceServer, QUIET_ACCESS_LOG } from './server.js';

/** A service server whose log lines are collected, at the given level. */
function serverLogging(level: 'info' | 'debug', correlation?: 'context' | 'explicit') {
  const lines: { msg: string; url?: string; level: number; correlationId?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const { app } = createServiceServer({
    name: 'test',
    logger: createLogger({ level, destination: sink }),
    ...(correlation ? { correlation } : {}),
  });
  app.get('/origin/*', { config: QUIET_ACCESS_LOG }, async () => 'bytes');
  app.get('/api/titles', async () => []);
  app.get('/ctx', async (req) => {
    req.log.info('inside');
    return { id: currentCorrelationId() ?? null };
  });
  const requestLines = () => lines.filter((l) => l.msg === 'request').map((l) => l.url);
  return { app, lines, requestLines };
}

describe('access lines', () => {
  it('logs internal chatter (origin fetches, heartbeats) at debug, other requests at info', async () => {
    const info = serverLogging('info');
    await info.app.inject('/origin/assets/a/seg.m4s');
    await info.app.inject('/api/titles');
    expect(info.requestLines()).toEqual(['/api/titles']);

    const debug = serverLogging('debug');
    await debug.app.inject('/origin/assets/a/seg.m4s');
    await debug.app.inject('/api/titles');
    expect(debug.requestLines()).toEqual(['/origin/assets/a/seg.m4s', '/api/titles']);
  });
});

describe('correlation ids', () => {
  it('without an async context (explicit), every line of the request still carries its id', async () => {
    for (const correlation of ['context', 'explicit'] as const) {
      const server = serverLogging('info', correlation);
      const res = await server.app.inject({ url: '/ctx', headers: { 'x-request-id': `id-${correlation}` } });
      expect(res.headers['x-request-id']).toBe(`id-${correlation}`);
      // Only the context mode gives handlers the id implicitly; explicit code passes req.id on itself.
      expect(res.json()).toEqual({ id: correlation === 'context' ? 'id-context' : null });
      const mine = server.lines.filter((l) => l.msg === 'inside' || l.msg === 'request');
      expect(mine).toHaveLength(2);
      for (const line of mine) expect(line.correlationId).toBe(`id-${correlation}`);
    }
  });
});
