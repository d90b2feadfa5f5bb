import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreTestRecord } from '@marquee/contracts';
import { identityHeaders, serviceToken, SERVICE_TOKEN_HEADER } from '@marquee/core';
import { openBackupTarget, targetKeys, writeRestoreTest } from '@marquee/platform';
import { createTestContext, type TestContext } from '@marquee/platform/testing';
import { buildStorage, type StorageModule } from '../src/index.js';
import { adminHeaders, SECRET } from './fixtures.js';

/**
 * GET /api/admin/backups reads the backup target itself: whatever process took the backups and ran
 * the restore tests (the monolithic schedule, a cron job's `marquee backup`), storage reports them.
 */

let ctx: TestContext;
let storage: StorageModule;
let targetDir: string;

beforeAll(async () => {
  targetDir = join(await mkdtemp(join(tmpdir(), 'marquee-status-')), 'backups');
  ctx = await createTestContext({
    // Never called by this route; storage needs an address for its client.
    urls: { streaming: ['http://127.0.0.1:9'] },
    secret: SECRET,
    settings: { BACKUP_TARGET: targetDir, BACKUP_INTERVAL: '6h', SCRUB_INTERVAL_HOURS: '0' },
  });
  storage = await buildStorage(ctx);
});

afterAll(async () => {
  await storage.app.close();
  await storage.stop();
  await ctx.cleanup();
  await rm(join(targetDir, '..'), { recursive: true, force: true });
});

const status = (headers: Record<string, string>) =>
  storage.app.inject({ method: 'GET', url: '/api/admin/backups', headers });

/** A finished backup in the target, as `marquee backup` leaves it (only what the status reads matters). */
function manifest(id: string, startedAt: string, totalBytes: number) {
  return JSON.stringify({
    format: 1,
    id,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 4_000).toISOString(),
    database: 'embedded',
    schemas: [],
    databases: [],
    files: [],
    blobs: [],
    stats: { durationMs: 4_000, totalBytes, blobsCopied: 0, blobsAlreadyThere: 0, bytesCopied: 0 },
  });
}

describe('GET /api/admin/backups', () => {
  it('is for admins only, answered as problem+json', async () => {
    const viewer = await status({
      [SERVICE_TOKEN_HEADER]: serviceToken(SECRET),
      ...identityHeaders({ accountId: 'v1', role: 'viewer', plan: 'basic' }),
    });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.headers['content-type']).toMatch(/^application\/problem\+json/);
    const anonymous = await status({ [SERVICE_TOKEN_HEADER]: serviceToken(SECRET) });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    const outsider = await status({});
    expect(outsider.statusCode).toBeGreaterThanOrEqual(401);
    expect(outsider.statusCode).toBeLessThan(404);
  });

  it('says there is no backup before the first one', async () => {
    const res = await status(adminHeaders);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      target: targetDir,
      intervalSeconds: 21_600,
      backups: 0,
      newest: null,
      lastRestoreTest: null,
    });
  });

  it('reports the newest backup (age, size) and the last restore test, from the target', async () => {
    const target = await openBackupTarget(ctx.settings);
    const older = new Date(Date.now() - 30 * 3_600_000).toISOString();
    const newer = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await target.store.put(
      targetKeys.manifest('20261205-080000-aaaa'),
      manifest('20261205-080000-aaaa', older, 10),
    );
    await target.store.put(
      targetKeys.manifest('20261206-120000-bbbb'),
      manifest('20261206-120000-bbbb', newer, 52_428_800),
    );
    // A backup still being written (no manifest) is not the newest.
    await target.store.put(targetKeys.started('20261206-130000-cccc'), '{}');
    const tested: RestoreTestRecord = {
      format: 1,
      backupId: '20261205-080000-aaaa',
      testedAt: new Date(Date.now() - 29 * 3_600_000).toISOString(),
      ok: false,
      durationMs: 6_100,
      checksumsVerified: 278,
      rowCounts: { users: { accounts: 12 } },
      problems: ['users.sqlite: 1 ratings rows without their profile and account'],
    };
    await writeRestoreTest(target, tested);
    await target.close();

    const body = (await status(adminHeaders)).json();
    expect(body).toMatchObject({
      backups: 2,
      newest: { id: '20261206-120000-bbbb', startedAt: newer, totalBytes: 52_428_800, database: 'embedded' },
      lastRestoreTest: tested,
    });
    expect(body.newest.ageSeconds).toBeGreaterThan(7_190);
    expect(body.newest.ageSeconds).toBeLessThan(7_300);
  });

  it('is in the OpenAPI document the gateway merges', async () => {
    const res = await storage.app.inject({ method: 'GET', url: '/openapi.json', headers: adminHeaders });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toContain('/api/admin/backups');
  });
});
