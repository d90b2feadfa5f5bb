import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createServiceServer, requireServiceToken, settingsOf, type ServiceModule } from '@marquee/core';
import { platformProblems, type ServiceContext, type Subscription } from '@marquee/platform';
import { AnalyticsAnswers } from './app/answers.js';
import { streamingSessionFacts, type SessionFacts } from './app/session-facts.js';
import { TelemetryIntake } from './app/telemetry-intake.js';
import { analyticsConfig, type AnalyticsOverrides } from './config.js';
import { analyticsRoutes } from './http/routes.js';
import { LakeWriter, startLakeWriter } from './jobs/lake-writer.js';
import { startLakeMaintenance } from './jobs/lake-maintenance.js';
import { Duck } from './lake/duck.js';
import { LakeMirror } from './lake/lake-mirror.js';
import { LakeStore } from './lake/lake-store.js';
import { LakeQueries } from './lake/queries.js';
import { analyticsProblems } from './app/problems.js';
import { analyticsSettings } from './settings.js';

export type { AnalyticsOverrides } from './config.js';

export interface AnalyticsModule extends ServiceModule {
  /** Writes what the lake writer holds now (tests, and a clean shutdown). */
  flushLake(): Promise<void>;
  /** Runs compaction and retention once (tests, operations); on S3, syncs the lake's copy first. */
  maintainLake(): Promise<void>;
  /** Where the lake's Parquet files are. */
  lakeDir: string;
}

export interface AnalyticsOptions extends AnalyticsOverrides {
  /** Replaces asking streaming about sessions (tests). */
  sessions?: SessionFacts;
  now?: () => number;
}

/**
 * The analytics service (issue 18): takes player telemetry for live sessions, writes it and the
 * playback events into a Parquet lake, and answers the admin console's questions from the lake with
 * DuckDB. See docs/analytics.md.
 */
export async function buildAnalytics(
  ctx: ServiceContext,
  options: AnalyticsOptions = {},
): Promise<AnalyticsModule> {
  const config = analyticsConfig(ctx.dataDir, {
    retentionDays: settingsOf(analyticsSettings, ctx.settings).LAKE_RETENTION_DAYS,
    ...options,
  });
  const now = options.now ?? Date.now;
  const duck = await Duck.open(config.duckThreads ? { threads: config.duckThreads } : {});
  // On S3 the bucket holds the lake as plain objects and this folder is its copy (lake-mirror.ts).
  const mirror = ctx.settings.S3_BUCKET ? new LakeMirror(ctx.blobs) : undefined;
  const lake = new LakeStore(config.lakeDir, duck, mirror);
  const writer = new LakeWriter({
    lake,
    logger: ctx.logger,
    flushEvents: config.flushEvents,
    flushMs: config.flushMs,
  });
  const intake = new TelemetryIntake({
    sessions: options.sessions ?? streamingSessionFacts(ctx.urls.streaming, ctx.secret),
    bus: ctx.bus,
    cache: ctx.cache,
    perMinute: config.telemetryPerMinute,
    now,
  });
  const answers = new AnalyticsAnswers(new LakeQueries(lake, duck), config.queryCacheMs);

  const { app } = createServiceServer({
    name: 'analytics',
    problems: [platformProblems, analyticsProblems],
    logger: ctx.logger,
    readiness: { events: () => ctx.bus.ping() },
  });
  requireServiceToken(app, ctx.secret);
  analyticsRoutes(app, { intake, answers, now });

  const maintenance = startLakeMaintenance({
    lake,
    cache: ctx.cache,
    logger: ctx.logger,
    replica: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    everyMs: config.compactEveryMs,
    minFiles: config.compactMinFiles,
    retentionDays: config.retentionDays,
    now: () => new Date(now()),
  });
  let subscription: Subscription | undefined;
  let syncTimer: NodeJS.Timeout | undefined;
  return {
    name: 'analytics',
    app,
    lakeDir: config.lakeDir,
    flushLake: () => writer.flush(),
    maintainLake: () => maintenance.runOnce(),
    async start() {
      if (mirror) {
        await lake.sync();
        syncTimer = setInterval(() => {
          lake
            .sync()
            .catch((err: unknown) => ctx.logger.warn({ err }, 'lake sync failed; next round retries'));
        }, config.mirrorSyncMs);
        syncTimer.unref();
      }
      subscription = await startLakeWriter(ctx.bus, writer, config);
    },
    async stop() {
      clearInterval(syncTimer);
      maintenance.stop();
      await subscription?.stop();
      duck.close();
    },
  };
}
