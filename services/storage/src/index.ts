import {
  createServiceServer,
  requireServiceToken,
  serviceToken,
  SERVICE_TOKEN_HEADER,
  ServiceClient,
  type ServiceModule,
} from '@marquee/core';
import {
  platformProblems,
  backupCopies,
  startOutboxRelay,
  type Database,
  type ServiceContext,
  type Subscription,
} from '@marquee/platform';
import { blobKeyOfUpload, finalizeUpload } from './app/finalize-upload.js';
import { registerBackupStatusRoute } from './http/backup-status.js';
import { registerOriginRoutes } from './http/origin.js';
import { registerUploadRoutes } from './http/uploads.js';
import { deleteMediaOfDeletedTitles } from './jobs/delete-titles.js';
import { ExclusiveFinish, type FinishPause } from './jobs/exclusive-finish.js';
import { ExclusiveJob, jobMetrics, replicaName } from './jobs/exclusive-job.js';
import { runLifecycle } from './jobs/lifecycle.js';
import { scrubBlobs, scrubMetrics } from './jobs/scrub.js';
import { openBackupTargetIfAny } from './jobs/backup-copies.js';
import { settleAssetsOnEncoderVerdict } from './jobs/settle-assets.js';
import { openStaging } from './staging.js';
import { storageMigrations } from './store/migrations.js';
import type { StorageTables } from './store/tables.js';
import { UploadStore } from './store/uploads.js';

export { storageMigrations } from './store/migrations.js';
export { UPLOADS_PATH } from './http/uploads.js';

export interface StorageOptions {
  /** Names this replica in job leases, logs and metrics (default: replicaName()); unique per replica. */
  replica?: string;
  /** How long a scheduled job's or a finishing upload's lease outlives its holder's last renewal (default 30 s). */
  jobLeaseTtlMs?: number;
  /**
   * How long the request that sent an upload's last byte waits while another finisher holds the upload
   * (default two lease TTLs, so a dead holder's lease lapses within it and the request takes over).
   */
  finishWaitMs?: number;
  /** Test seam: holds finishing at fixed points to force interleavings (see FinishPause). */
  finishPause?: FinishPause;
}

export interface StorageModule extends ServiceModule {
  /** The scheduled jobs, each run by one replica per tick (scrub is absent when SCRUB_INTERVAL_HOURS=0). */
  jobs: { lifecycle: ExclusiveJob; scrub?: ExclusiveJob };
}

const DEFAULT_JOB_LEASE_TTL_MS = 30_000;

/**
 * The storage service: tus uploads into the blob store, the origin edges fill from, lifecycle policies
 * and the integrity scrubber.
 */
export async function buildStorage(
  ctx: ServiceContext,
  options: StorageOptions = {},
): Promise<StorageModule> {
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

  const { app, metrics, addReadiness } = createServiceServer({
    name: 'storage',
    problems: [platformProblems],
    logger,
  });
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
  const replica = options.replica ?? replicaName();
  const leaseTtlMs = options.jobLeaseTtlMs ?? DEFAULT_JOB_LEASE_TTL_MS;
  // The live request on one replica and crash recovery on another (or on this one) may both finish an
  // upload: one at a time, so recovery never removes staging the request is still copying.
  const finisher = new ExclusiveFinish({
    cache: ctx.cache,
    replica,
    leaseTtlMs,
    waitMs: options.finishWaitMs ?? 2 * leaseTtlMs,
    uploads,
    logger,
    store: (row, guard) => finalizeUpload(finalizeDeps, row, blobKeyOfUpload(row), guard),
    pause: options.finishPause,
  });
  registerUploadRoutes(app, {
    datastore: staging.datastore,
    uploads,
    streaming,
    logger,
    maxBytes: settings.UPLOAD_MAX_BYTES,
    onFinished: (uploadId) => finisher.finish(uploadId, 'request'),
  });
  registerOriginRoutes(app, ctx.blobs);
  registerBackupStatusRoute(app, settings, logger);

  /**
   * Finishes uploads whose last byte arrived but which a crash stopped before they were stored. Every
   * replica runs it at start (and the lifecycle job on one replica per tick); the per-upload lease makes
   * each upload finished by one of them, and the others skip it.
   */
  const reconcile = async () => {
    for (const row of await uploads.inState(['receiving'])) {
      const progress = await staging.progress(row.upload_id);
      if (progress?.size === undefined || progress.offset !== progress.size) continue;
      await finisher
        .finish(row.upload_id, 'recovery')
        .catch((err: unknown) =>
          logger.error({ err, uploadId: row.upload_id }, 'could not finish interrupted upload'),
        );
    }
  };

  const policy = {
    sourceRetentionDays: settings.SOURCE_RETENTION_DAYS,
    failedRetentionHours: settings.FAILED_UPLOAD_RETENTION_HOURS,
  };
  const scrub = scrubMetrics(metrics.registry);
  const jobDefaults = {
    replica,
    leaseTtlMs,
    cache: ctx.cache,
    logger,
    metrics: jobMetrics(metrics.registry),
  };
  // With several replicas each of these would otherwise run everywhere: every object re-hashed once
  // per replica, and lifecycle deletions racing each other. Each runs on one replica per tick.
  const jobs: StorageModule['jobs'] = {
    lifecycle: new ExclusiveJob({
      ...jobDefaults,
      name: 'lifecycle',
      intervalMs: settings.LIFECYCLE_INTERVAL_MINUTES * 60_000,
      run: async (signal, jobLogger) => {
        await reconcile();
        await runLifecycle(
          { uploads, blobs: ctx.blobs, staging, logger: jobLogger, finisher },
          policy,
          new Date(),
          signal,
        );
      },
    }),
    ...(settings.SCRUB_INTERVAL_HOURS > 0
      ? {
          scrub: new ExclusiveJob({
            ...jobDefaults,
            name: 'scrub',
            intervalMs: settings.SCRUB_INTERVAL_HOURS * 3_600_000,
            run: async (signal, jobLogger) => {
              // The backup target (when there is one) holds good copies by content: corrupt objects are
              // put back from it. Opened per run: a scrub is rare and the target may be a remote bucket.
              const target = await openBackupTargetIfAny(settings, jobLogger);
              try {
                const copies = target && backupCopies(target);
                return await scrubBlobs(ctx.blobs, uploads, jobLogger, scrub, signal, copies);
              } finally {
                await target?.close();
              }
            },
          }),
        }
      : {}),
  };
  let settle: Subscription | undefined;
  let deletions: Subscription | undefined;

  return {
    name: 'storage',
    app,
    jobs,
    async start() {
      settle = await settleAssetsOnEncoderVerdict(ctx.bus, uploads);
      deletions = await deleteMediaOfDeletedTitles({ bus: ctx.bus, blobs: ctx.blobs, uploads, logger });
      await reconcile();
      jobs.lifecycle.start();
      jobs.scrub?.start();
    },
    async stop() {
      await Promise.all([jobs.lifecycle.stop(), jobs.scrub?.stop()]);
      await settle?.stop();
      await deletions?.stop();
      await relay.stop();
      await streaming.close();
      await db.close();
    },
  };
}
