import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

// Issue 20 item 8: /metrics on the public gateway port showed routes, rates and internals to anyone.
const TOKEN = 'scrape-token-0123456789';

describe('/metrics on the public gateway port', () => {
  let guarded: TestGateway;
  let closed: TestGateway;
  beforeAll(async () => {
    guarded = await startGateway({}, { settings: { METRICS_TOKEN: TOKEN } });
    closed = await startGateway({});
  });
  afterAll(async () => {
    await guarded.close();
    await closed.close();
  });

  it('answers a scraper that presents the token', async () => {
    const res = await guarded.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('gateway_rate_limited_total');
  });

  it('refuses anyone else with a 401 problem, whatever the query string', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Basic ${TOKEN}` },
    ]) {
      for (const url of ['/metrics', '/metrics?x=1']) {
        const res = await guarded.app.inject({ url, headers });
        expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.headers['www-authenticate']).toContain('Bearer');
        expect(res.body).not.toContain('gateway_');
      }
    }
  });

  it('is not there at all when no token is configured', async () => {
    const res = await closed.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('gateway_');
    expect((await closed.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
