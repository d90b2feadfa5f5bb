import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload as TusUpload } from '@tus/server';
import Fastify, { type FastifyInstance } from 'fastify';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHeaders, serviceToken, SERVICE_TOKEN_HEADER } from '@marquee/core';
import {
  backendAvailable,
  createTestContext,
  openBlobStore,
  startS3rver,
  type Database,
  type RunningS3rver,
  type TestContext,
} from '@marquee/platform';
import { tickAt } from '../src/app/job-schedule.js';
import { buildStorage, type StorageModule } from '../src/index.js';
import { openStaging, stagingIdOf, type Staging } from '../src/staging.js';
import type { StorageTables } from '../src/store/tables.js';
import { UploadStore } from '../src/store/uploads.js';

const SECRET = 'storage-test-secret-0123456789abcdef0123';
const BUCKET = 'staging-test';
const adminHeaders = {
  [SERVICE_TOKEN_HEADER]: serviceToken(SECRET),
  ...identityHeaders({ accountId: 'admin1', role: 'admin', plan: 'premium' }),
};

const stores = [
  { store: 'filesystem' as const, run: true },
  { store: 's3' as const, run: await backendAvailable('s3') },
];

for (const { store, run } of stores) {
  describe.runIf(run)(`tus staging on ${store}`, () => {
    let s3: RunningS3rver | undefined;
    let client: S3Client | undefined;
    let streaming: FastifyInstance;
    let ctx: TestContext;
    let storage: StorageModule;
    let db: Database<StorageTables>;
    let staging: Staging;
    let base: string;
    let tick = 0;

    beforeAll(async () => {
      streaming = Fastify();
      let n = 0;
      streaming.post('/internal/titles/:titleId/assets', async (_req, reply) =>
        reply.status(201).send({ assetId: `asset${++n}` }),
      );
      const streamingUrl = await streaming.listen({ port: 0, host: '127.0.0.1' });
      let settings: Record<string, string> = {};
      if (store === 's3') {
        s3 = await startS3rver();
        settings = {
          S3_ENDPOINT: s3.endpoint,
          S3_BUCKET: BUCKET,
          S3_REGION: s3.credentials.region,
          S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        };
        client = new S3Client({ endpoint: s3.endpoint, ...s3.credentials, credentials: s3.credentials });
      }
      ctx = await createTestContext({ urls: { streaming: [streamingUrl] }, secret: SECRET, settings });
      if (s3) {
        // Blobs and staging share the bucket, as they do in a deployment (the blob store creates it).
        await ctx.blobs.close();
        ctx.blobs = await openBlobStore({
          s3: { endpoint: s3.endpoint, ...s3.credentials, bucket: BUCKET },
        });
      }
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
      await streaming?.close();
      await ctx?.cleanup();
      client?.destroy();
      await s3?.stop();
    });

    /** What is staged, listed behind the code's back: the staging folder, or the bucket's staging/ prefix. */
    async function stagedObjects(): Promise<string[]> {
      if (!client) return readdir(join(ctx.dataDir, 'uploads', 'staging'));
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'staging/' }));
      return (page.Contents ?? []).map((o) => o.Key ?? '');
    }

    /** Sends the first half of `data` and stops, as a client that goes away does; resolves its URL. */
    function uploadHalf(data: Buffer): Promise<string> {
      return new Promise<string>((resolve, reject) => {
        const first: tus.Upload = new tus.Upload(data, {
          endpoint: `${base}/api/admin/uploads`,
          headers: adminHeaders,
          metadata: { titleId: 't1', filename: 'film.mp4' },
          chunkSize: Math.ceil(data.length / 2),
          retryDelays: [],
          onChunkComplete: () => void first.abort().then(() => resolve(first.url!)),
          onError: reject,
        });
        first.start();
      });
    }

    function uploadRest(data: Buffer, url: string): Promise<void> {
      return new Promise((resolve, reject) => {
        new tus.Upload(data, {
          endpoint: `${base}/api/admin/uploads`,
          uploadUrl: url,
          headers: adminHeaders,
          metadata: { titleId: 't1', filename: 'film.mp4' },
          retryDelays: [],
          onSuccess: () => resolve(),
          onError: reject,
        }).start();
      });
    }

    const lifecycleRun = () => storage.jobs.lifecycle.runTick(++tick);
    const uploadIdOfUrl = (url: string) => new URL(url).pathname.split('/').pop()!;

    it('leaves no staging behind once an upload is finished and stored', async () => {
      // 3 MiB: on S3 the first half is below the 5 MiB part minimum, so it is staged as a `.part` object.
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const url = await uploadHalf(data);
      expect(uploadIdOfUrl(url)).toMatch(/^[0-9a-f]{32}$/);
      expect(await stagedObjects()).not.toEqual([]);

      await uploadRest(data, url);
      // The last PATCH is answered once the upload is stored and its staging removed.
      expect(await stagedObjects()).toEqual([]);
      const row = await new UploadStore(db).find(uploadIdOfUrl(url));
      expect(row?.state).toBe('stored');
      expect((await ctx.blobs.head(row!.blob_key!))?.sha256).toBe(
        createHash('sha256').update(data).digest('hex'),
      );
    });

    it('removes an abandoned upload once the failed-upload policy expires it, and never before', async () => {
      const url = await uploadHalf(randomBytes(2 * 1024 * 1024));
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
