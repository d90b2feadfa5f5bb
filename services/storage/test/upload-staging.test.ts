import { createHash, randomBytes } from 'node:crypto';
import { Upload as TusUpload } from '@tus/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@marquee/platform';
import type { TestContext } from '@marquee/platform/testing';
import { tickAt } from '../src/app/job-schedule.js';
import { buildStorage, type StorageModule } from '../src/index.js';
import { openStaging, stagingIdOf, type Staging } from '../src/staging.js';
import type { StorageTables } from '../src/store/tables.js';
import { UploadStore } from '../src/store/uploads.js';
import {
  adminHeaders,
  openStagingBackends,
  stores,
  tusUpload,
  tusUploadHalf,
  uploadIdOfUrl,
  type StagingBackends,
} from './fixtures.js';

const BUCKET = 'staging-test';

for (const { store, run } of stores) {
  describe.runIf(run)(`tus staging on ${store}`, () => {
    let backends: StagingBackends | undefined;
    let ctx: TestContext;
    let storage: StorageModule;
    let db: Database<StorageTables>;
    let staging: Staging;
    let base: string;
    let tick = 0;

    beforeAll(async () => {
      backends = await openStagingBackends(store, BUCKET);
      ctx = backends.ctx;
      storage = await buildStorage(ctx, { replica: 'only' });
      base = await storage.app.listen({ port: 0, host: '127.0.0.1' });
      await storage.start();
      db = await ctx.openDb<StorageTables>('storage');
      staging = await openStaging(ctx.settings, ctx.dataDir);
      tick = tickAt(Date.now(), ctx.settings.LIFECYCLE_INTERVAL_MINUTES * 60_000);
    });

    afterAll(async () => {
      await storage?.app.close();
      await storage?.stop();
      await backends?.close();
    });

    const stagedObjects = () => backends!.stagedObjects();

    const lifecycleRun = () => storage.jobs.lifecycle.runTick(++tick);

    it('leaves no staging behind once an upload is finished and stored', async () => {
      // 3 MiB: on S3 the first half is below the 5 MiB part minimum, so it is staged as a `.part` object.
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const url = await tusUploadHalf(base, data);
      expect(uploadIdOfUrl(url)).toMatch(/^[0-9a-f]{32}$/);
      expect(await stagedObjects()).not.toEqual([]);

      await tusUpload(base, data, { uploadUrl: url });
      // The last PATCH is answered once the upload is stored and its staging removed.
      expect(await stagedObjects()).toEqual([]);
      const row = await new UploadStore(db).find(uploadIdOfUrl(url));
      expect(row?.state).toBe('stored');
      expect((await ctx.blobs.head(row!.blob_key!))?.sha256).toBe(
        createHash('sha256').update(data).digest('hex'),
      );
    });

    it('removes an abandoned upload once the failed-upload policy expires it, and never before', async () => {
      const url = await tusUploadHalf(base, randomBytes(2 * 1024 * 1024));
      const uploadId = uploadIdOfUrl(url);
      const staged = await stagedObjects();
      expect(staged).not.toEqual([]);

      // Not yet expired: the lifecycle leaves it (and the scrubber does not mistake it for a blob).
      expect(await lifecycleRun()).toBe('ran');
      expect(await stagedObjects()).toEqual(staged);
      expect(await storage.jobs.scrub?.runTick(tickAt(Date.now(), 24 * 3_600_000) + 1)).toBe('ran');
      expect(await db.read.selectFrom('scrub_mismatches').selectAll().execute()).toEqual([]);

      // Abandoned for longer than FAILED_UPLOAD_RETENTION_HOURS.
      const hoursAgo = ctx.settings.FAILED_UPLOAD_RETENTION_HOURS + 1;
      await db.write
        .updateTable('uploads')
        .set({ created_at: new Date(Date.now() - hoursAgo * 3_600_000).toISOString() })
        .where('upload_id', '=', uploadId)
        .execute();
      expect(await lifecycleRun()).toBe('ran');
      expect(await stagedObjects()).toEqual([]);
      expect((await new UploadStore(db).find(uploadId))?.state).toBe('expired');
      const resumed = await fetch(url, {
        method: 'HEAD',
        headers: { ...adminHeaders, 'tus-resumable': '1.0.0' },
      });
      expect(resumed.status).toBe(404);
    });

    it('sweeps staging left by a stored upload whose cleanup failed, and staging no upload owns', async () => {
      const uploads = new UploadStore(db);
      const stored = 'a'.repeat(32);
      const orphan = 'b'.repeat(32);
      await uploads.create({
        upload_id: stored,
        asset_id: 'asset-stored',
        title_id: 't1',
        filename: 'film.mp4',
        kind: 'source',
        language: null,
        size: 10,
        created_at: new Date().toISOString(),
      });
      await db.write
        .updateTable('uploads')
        .set({ state: 'stored' })
        .where('upload_id', '=', stored)
        .execute();
      for (const id of [stored, orphan]) {
        await staging.datastore.create(new TusUpload({ id: stagingIdOf(id), size: 10, offset: 0 }));
      }
      expect(await stagedObjects()).not.toEqual([]);

      expect(await lifecycleRun()).toBe('ran');
      expect(await stagedObjects()).toEqual([]);
    });
  });
}
