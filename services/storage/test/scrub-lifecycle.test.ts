import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import { backupCopies, openBackupTarget, openDatabase, readWholeBlob, targetKeys } from '@marquee/platform';
import { createTestContext, type TestContext } from '@marquee/platform/testing';
import { Registry } from 'prom-client';
import { storageMigrations } from '../src/index.js';
import { scrubBlobs, scrubMetrics } from '../src/jobs/scrub.js';
import { ExclusiveFinish } from '../src/jobs/exclusive-finish.js';
import { runLifecycle } from '../src/jobs/lifecycle.js';
import { openStaging } from '../src/staging.js';
import { UploadStore } from '../src/store/uploads.js';
import type { StorageTables } from '../src/store/tables.js';

const logger = createLogger({ level: 'silent' });
let ctx: TestContext;
afterEach(() => ctx.cleanup());

async function uploadsStore(context: TestContext) {
  const db = await openDatabase<StorageTables>({ service: 'storage', dataDir: context.dataDir });
  await db.migrate(storageMigrations);
  return { db, uploads: new UploadStore(db) };
}

describe('integrity scrubber', () => {
  it('re-hashes every object and reports the corrupt one in a metric, a log and a row', async () => {
    ctx = await createTestContext();
    const { db, uploads } = await uploadsStore(ctx);
    await ctx.blobs.put('assets/a/ok.m4s', Buffer.alloc(4096, 1));
    await ctx.blobs.put('assets/a/bad.m4s', Buffer.alloc(4096, 2));
    // Bit rot: flip the object's last byte on disk behind the store's back.
    const file = await open(join(ctx.dataDir, 'blobs', 'objects', 'assets/a/bad.m4s'), 'r+');
    const { size } = await file.stat();
    await file.write(Buffer.from([0xff]), 0, 1, size - 1);
    await file.close();

    const registry = new Registry();
    const metrics = scrubMetrics(registry);
    const result = await scrubBlobs(ctx.blobs, uploads, logger, metrics);
    expect(result.checked).toBe(2);
    expect(result.mismatches.map((m) => m.key)).toEqual(['assets/a/bad.m4s']);
    expect(await registry.getSingleMetricAsString('blob_integrity_mismatches_total')).toMatch(/ 1$/m);
    expect(await db.read.selectFrom('scrub_mismatches').select('blob_key').execute()).toEqual([
      { blob_key: 'assets/a/bad.m4s' },
    ]);
    await db.close();
  });
});

describe('integrity scrubber with a backup target', () => {
  it('puts a corrupt object back from its good copy (by content), and reports one with no copy', async () => {
    ctx = await createTestContext();
    const { db, uploads } = await uploadsStore(ctx);
    const good = Buffer.alloc(8192, 3);
    await ctx.blobs.put('assets/b/seg.m4s', good);
    await ctx.blobs.put('assets/b/lost.m4s', Buffer.alloc(8192, 4));
    // The backup target keeps blob bytes by content; only seg.m4s was backed up.
    const target = await openBackupTarget({
      ...ctx.settings,
      BACKUP_TARGET: join(ctx.dataDir, '..', `${basename(ctx.dataDir)}-target`),
    });
    const sha = createHash('sha256').update(good).digest('hex');
    await target.store.put(targetKeys.content(sha), good);
    for (const key of ['assets/b/seg.m4s', 'assets/b/lost.m4s']) {
      const file = await open(join(ctx.dataDir, 'blobs', 'objects', key), 'r+');
      await file.write(Buffer.from([0xee]), 0, 1, (await file.stat()).size - 1); // bit rot in the body
      await file.close();
    }

    const registry = new Registry();
    const result = await scrubBlobs(
      ctx.blobs,
      uploads,
      logger,
      scrubMetrics(registry),
      undefined,
      backupCopies(target),
    );
    expect(result.mismatches.map((m) => [m.key, m.repaired])).toEqual([
      ['assets/b/lost.m4s', false],
      ['assets/b/seg.m4s', true],
    ]);
    expect(await readWholeBlob(ctx.blobs, 'assets/b/seg.m4s')).toEqual(good);
    expect(await registry.getSingleMetricAsString('blob_repairs_total')).toContain('outcome="repaired"} 1');
    expect(await db.read.selectFrom('scrub_mismatches').select('blob_key').execute()).toEqual([
      { blob_key: 'assets/b/lost.m4s' },
    ]);
    await target.close();
    await rm(join(ctx.dataDir, '..', `${basename(ctx.dataDir)}-target`), { recursive: true, force: true });
    await db.close();
  });
});

describe('lifecycle job', () => {
  it('deletes sources past retention and abandons stalled uploads, keeping the rest', async () => {
    ctx = await createTestContext();
    const { db, uploads } = await uploadsStore(ctx);
    const staging = await openStaging(ctx.settings, ctx.dataDir);
    const old = new Date(Date.now() - 40 * 24 * 3_600_000).toISOString();
    const recent = new Date().toISOString();
    const row = (id: string, created: string) => ({
      upload_id: id,
      asset_id: `asset-${id}`,
      title_id: 't1',
      filename: 'f.mp4',
      kind: 'source' as const,
      language: null,
      size: 1,
      created_at: created,
    });
    await uploads.create(row('old-ready', old));
    await uploads.create(row('new-ready', recent));
    await uploads.create(row('stalled', old));
    for (const id of ['old-ready', 'new-ready']) {
      await ctx.blobs.put(`sources/asset-${id}/source.mp4`, 'x');
      await db.write
        .updateTable('uploads')
        .set({ blob_key: `sources/asset-${id}/source.mp4`, state: 'stored' })
        .where('upload_id', '=', id)
        .execute();
    }
    await uploads.settleAsset('asset-old-ready', 'ready', new Date(old));
    await uploads.settleAsset('asset-new-ready', 'ready', new Date());

    const finisher = new ExclusiveFinish({
      cache: ctx.cache,
      replica: 'only',
      leaseTtlMs: 2_000,
      waitMs: 0,
      uploads,
      logger,
      store: () => Promise.reject(new Error('the lifecycle itself finishes nothing')),
    });
    const result = await runLifecycle(
      { uploads, blobs: ctx.blobs, staging, logger, finisher },
      { sourceRetentionDays: 30, failedRetentionHours: 24 },
    );
    expect(result).toEqual({ applied: 2, stagingRemoved: 0 });
    expect(await ctx.blobs.head('sources/asset-old-ready/source.mp4')).toBeUndefined();
    expect(await ctx.blobs.head('sources/asset-new-ready/source.mp4')).toBeDefined();
    expect((await uploads.find('stalled'))?.state).toBe('expired');
    expect((await uploads.find('new-ready'))?.state).toBe('ready');
    await db.close();
  });
});
