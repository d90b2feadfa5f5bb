import {
  createServiceServer,
  requireServiceToken,
  serviceToken,
  SERVICE_TOKEN_HEADER,
  ServiceClient,
  type ServiceModule,
} from '@marquee/core';
import { startOutboxRelay, type Database, type ServiceContext, type Subscription } from '@marquee/platform';
import { finalizeUpload } from './app/finalize-upload.js';
import { blobKeyFor, parseUploadMetadata } from './app/upload-metadata.js';
import { registerOriginRoutes } from './http/origin.js';
import { registerUploadRoutes } from './http/uploads.js';
import { runLifecycle } from './jobs/lifecycle.js';
import { scrubBlobs, scrubMetrics } from './jobs/scrub.js';
import { settleAssetsOnEncoderVerdict } from './jobs/settle-assets.js';
import { openStaging } from './staging.js';
import { storageMigrations } from './store/migrations.js';
import type { StorageTables } from './store/tables.js';
import { UploadStore } from './store/uploads.js';

export { storageMigrations } from './store/migrations.js';
export { UPLOADS_PATH } from './http/uploads.js';

/**
 * The storage service: tus uploads into the blob store, the origin edges fill from, lifecycle policies
 * and the integrity scrubber.
 */
export async function buildStorage(ctx: ServiceContext): Promise<ServiceModule> {
  const { settings, logger } = ctx;
  const db: Database<StorageTables> = await ctx.openDb<StorageTables>('storage');
  await db.migrate(storageMigrations);
  const uploads = new UploadStore(db);
  const staging = await openStaging(settings, ctx.dataDir);
  const relay = startOutboxRelay({ db, bus: ctx.bus, logger });
  const streaming = new ServiceClient({
    service: 'streaming',
    baseUrls: ctx.urls.streaming,
    headers: { [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret) },
  });

  const { app, metrics, addReadiness } = createServiceServer({ name: 'storage', logger });
  requireServiceToken(app, ctx.secret);
  addReadiness('db', () => db.ping());
  addReadiness('blobs', () => ctx.blobs.ping());

  const finalizeDeps = {
    db,
    uploads,
    blobs: ctx.blobs,
    logger,
    readStaged: staging.read,
    removeStaged: staging.remove,
    flushOutbox: () => relay.flush(),
  };
  const finalize = async (uploadId: string, blobKey: string) => {
    const row = await uploads.find(uploadId);
    if (row) await finalizeUpload(finalizeDeps, row, blobKey);
  };
  registerUploadRoutes(app, {
    datastore: staging.datastore,
    uploads,
    streaming,
    logger,
    maxBytes: settings.UPLOAD_MAX_BYTES,
    onFinished: finalize,
  });
  registerOriginRoutes(app, ctx.blobs);

  /** Finishes uploads whose last byte arrived but which a crash stopped before they were stored. */
  const reconcile = async () => {
    for (const row of await uploads.inState(['receiving'])) {
      const progress = await staging.progress(row.upload_id);
      if (progress?.size !== undefined && progress.offset === progress.size) {
        const meta = parseUploadMetadata({
          titleId: row.title_id,
          filename: row.filename,
          language: row.language,
        });
        if (typeof meta === 'string') continue;
        logger.warn({ uploadId: row.upload_id }, 'finishing an upload interrupted before it was stored');
        await finalize(row.upload_id, blobKeyFor(meta, row.asset_id, row.upload_id)).catch((err: unknown) =>
          logger.error({ err, uploadId: row.upload_id }, 'could not finish interrupted upload'),
        );
      }
    }
  };

  const scrub = scrubMetrics(metrics.registry);
  const timers: NodeJS.Timeout[] = [];
  const stopSignal = new AbortController();
  let settle: Subscription | undefined;
  const policy = {
    sourceRetentionDays: settings.SOURCE_RETENTION_DAYS,
    failedRetentionHours: settings.FAILED_UPLOAD_RETENTION_HOURS,
  };
  const every = (ms: number, name: string, job: () => Promise<unknown>) => {
    const timer = setInterval(() => {
      job().catch((err: unknown) => logger.error({ err, job: name }, 'scheduled job failed'));
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    name: 'storage',
    app,
    async start() {
      settle = await settleAssetsOnEncoderVerdict(ctx.bus, uploads);
      await reconcile();
      every(settings.LIFECYCLE_INTERVAL_MINUTES * 60_000, 'lifecycle', async () => {
        await reconcile();
        await runLifecycle({ uploads, blobs: ctx.blobs, datastore: staging.datastore, logger }, policy);
      });
      if (settings.SCRUB_INTERVAL_HOURS > 0) {
        every(settings.SCRUB_INTERVAL_HOURS * 3_600_000, 'scrub', () =>
          scrubBlobs(ctx.blobs, uploads, logger, scrub, stopSignal.signal),
        );
      }
    },
    async stop() {
      stopSignal.abort();
      for (const t of timers) clearInterval(t);
      await settle?.stop();
      await relay.stop();
      await streaming.close();
      await db.close();
    },
  };
}
