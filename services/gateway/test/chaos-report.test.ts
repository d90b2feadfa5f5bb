import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, startFakeUsers, startGateway, type FakeUsers, type TestGateway } from './harness.js';

/**
 * The admin console's chaos panel reads GET /api/admin/chaos: what the last `marquee chaos` run wrote to
 * MARQUEE_DATA_DIR/chaos (latest.json, latest.svg). Admins only, and in the OpenAPI document.
 */

let users: FakeUsers;
let gw: TestGateway;
let dataDir: string;
let admin: string;
let viewer: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'marquee-gw-chaos-'));
  users = await startFakeUsers();
  gw = await startGateway({ users: [users.url] }, { settings: { MARQUEE_DATA_DIR: dataDir } });
  admin = await users.token({ sub: 'acc-admin', role: 'admin', plan: 'premium' });
  viewer = await users.token({ sub: 'acc-viewer' });
});
afterAll(async () => {
  await gw?.close();
  await users?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const get = (token?: string) =>
  gw.app.inject({ method: 'GET', url: '/api/admin/chaos', headers: token ? bearer(token) : {} });

describe('GET /api/admin/chaos', () => {
  it('is refused to anyone but an admin', async () => {
    expect((await get()).statusCode).toBe(401);
    const refused = await get(viewer);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
  });

  it('answers nulls before any run, then the latest run’s summary and chart', async () => {
    expect((await get(admin)).json()).toEqual({ report: null, chartSvg: null });

    await mkdir(join(dataDir, 'chaos'));
    const summary = {
      experiment: 'rolling-restart',
      finishedAt: '2026-12-06T23:00:00.000Z',
      passed: true,
      table: 'measure | control | experiment',
      rows: [{ measure: 'failed starts', control: '0', experiment: '0', goal: '0', met: true }],
      audit: [{ check: 'ratings', expected: 3, found: 3, lost: 0 }],
    };
    await writeFile(join(dataDir, 'chaos', 'latest.json'), JSON.stringify(summary));
    await writeFile(join(dataDir, 'chaos', 'latest.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const res = await get(admin);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ report: summary, chartSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>' });
  });

  it('is in the OpenAPI document, behind a bearer token', async () => {
    const doc = (await gw.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { security?: unknown[]; summary?: string }>>;
    }>();
    const op = doc.paths['/api/admin/chaos']?.get;
    expect(op?.summary).toMatch(/chaos/);
    expect(op?.security).toEqual([{ bearer: [] }]);
  });
});
