import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createServiceServer, QUIET_ACCESS_LOG } from './server.js';

/** A service server whose log lines are collected, at the given level. */
function serverLogging(level: 'info' | 'debug') {
  const lines: { msg: string; url?: string; level: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const { app } = createServiceServer({ name: 'test', logger: pino({ level }, sink) });
  app.get('/origin/*', { config: QUIET_ACCESS_LOG }, async () => 'bytes');
  app.get('/api/titles', async () => []);
  const requestLines = () => lines.filter((l) => l.msg === 'request').map((l) => l.url);
  return { app, requestLines };
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
