import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { QUIET_ACCESS_LOG, createServiceServer } from './server.js';

/** A service whose log lines are collected, in either correlation mode. */
function service(correlation: 'context' | 'explicit') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (l: string) => void lines.push(JSON.parse(l)) },
  });
  const { app, metrics } = createServiceServer({ name: 'svc', logger, correlation });
  app.get('/things/:id', async (req) => {
    if ((req.params as { id: string }).id === 'warn') req.log.warn({ why: 'asked' }, 'a warning');
    return { ok: true };
  });
  app.get('/chatter', { config: QUIET_ACCESS_LOG }, async () => ({ ok: true }));
  app.get('/own-level', { logLevel: 'error' }, async () => ({ ok: true }));
  const access = (id: string) => lines.filter((l) => l.msg === 'request' && l.reqId === id);
  return { app, metrics, lines, access };
}

describe.each(['explicit', 'context'] as const)('access log and duration histogram (%s)', (correlation) => {
  it('writes one line per request with its id, route metrics by pattern, and tokens redacted', async () => {
    const { app, metrics, access } = service(correlation);
    const res = await app.inject({ url: '/things/7?token=abc', headers: { 'x-request-id': 'r-1' } });
    expect(res.statusCode).toBe(200);
    expect(access('r-1')).toEqual([
      expect.objectContaining({
        correlationId: 'r-1',
        method: 'GET',
        url: '/things/7?token=[redacted]',
        status: 200,
      }),
    ]);
    await app.inject({ url: '/nowhere', headers: { 'x-request-id': 'r-2' } });
    expect(access('r-2')).toEqual([expect.objectContaining({ status: 404, url: '/nowhere' })]);
    const scrape = await metrics.registry.metrics();
    expect(scrape).toMatch(
      /http_request_duration_seconds_count\{[^}]*method="GET",route="\/things\/:id",status="200"\} 1/,
    );
    expect(scrape).toMatch(
      /http_request_duration_seconds_count\{[^}]*method="GET",route="unmatched",status="404"\} 1/,
    );
  });

  it("keeps a handler's own lines bound to the request id, and honours quiet and per-route levels", async () => {
    const { app, lines, access } = service(correlation);
    await app.inject({ url: '/things/warn', headers: { 'x-request-id': 'r-3' } });
    expect(lines.find((l) => l.msg === 'a warning')).toMatchObject({
      reqId: 'r-3',
      correlationId: 'r-3',
      why: 'asked',
    });
    await app.inject({ url: '/chatter', headers: { 'x-request-id': 'r-4' } });
    await app.inject({ url: '/own-level', headers: { 'x-request-id': 'r-5' } });
    await app.inject({ url: '/healthz', headers: { 'x-request-id': 'r-6' } });
    expect([...access('r-4'), ...access('r-5'), ...access('r-6')]).toEqual([]);
  });
});
