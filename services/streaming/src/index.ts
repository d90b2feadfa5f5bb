import {
  BackgroundWork,
  createMediaKeyring,
  createServiceServer,
  requireServiceToken,
  SERVICE_TOKEN_HEADER,
  ServiceClient,
  serviceToken,
  type ServiceModule,
  type Settings,
} from '@marquee/core';
import { createContentKeyring } from '@marquee/core/content-keys';
import {
  platformProblems,
  startOutboxRelay,
  type ServiceContext,
  type Subscription,
} from '@marquee/platform';
import { CatalogAdmin } from './app/catalog-admin.js';
import { Catalog } from './app/catalog.js';
import { EdgeDirectory } from './app/edge-directory.js';
import { MediaUrls } from './app/media-urls.js';
import { Playback } from './app/playback.js';
import { PreparedPlayback } from './app/prepared-playback.js';
import { ContentKeyIssuer } from './app/content-key-issuer.js';
import { PlayCounter } from './app/play-counter.js';
import { PlayableTitles } from './app/playable-titles.js';
import { TitleEditing } from './app/title-editing.js';
import './app/problems.js';
import { UsersClient } from './clients/users-client.js';
import { accountDataRoutes, startAccountDeletion } from './jobs/account-data.js';
import { adminRoutes } from './http/admin-routes.js';
import { catalogRoutes } from './http/catalog-routes.js';
import { internalRoutes } from './http/internal-routes.js';
import { playbackRoutes } from './http/playback-routes.js';
import { contentKeyRoutes } from './http/content-key-routes.js';
import { titleEditRoutes } from './http/title-edit-routes.js';
import { startAssetConsumer } from './jobs/asset-consumer.js';
import { deleteExpiredSessions } from './store/sessions-store.js';
import { streamingMigrations } from './store/migrations.js';
import type { StreamingTables } from './store/tables.js';
import { missWhenDown, outageAwareCache } from './app/cache-outage.js';
import { answerRetryAfter } from './http/retry-after.js';
import { streamingProblems } from './app/problems.js';

export { streamingMigrations } from './store/migrations.js';
export type { StreamingTables } from './store/tables.js';
export { rankEdges, steeringManifest, type EdgeReport, type SteeringManifest } from './app/edge-ranking.js';
export { PLAYBACK_REFUSALS, type PlaybackRefusalCode } from './app/problems.js';

const MAINTENANCE_MS = 60_000;

/** Where players fetch steering manifests: the public gateway, which routes /api/steering here. */
export function steeringBaseUrl(settings: Settings): string {
  const host = ['0.0.0.0', '::', ''].includes(settings.MARQUEE_HOST) ? '127.0.0.1' : settings.MARQUEE_HOST;
  const base = settings.MARQUEE_PUBLIC_URL ?? `http://${host}:${settings.MARQUEE_PORT}`;
  return `${base.replace(/\/+$/, '')}/api/steering`;
}

/**
 * The streaming service: catalog (admin and viewer), asset state from encoder events, playback
 * sessions with entitlements and stream leases, signed media URLs and edge steering.
 */
export interface StreamingOptions {
  /** Stream lease lifetime (default 60 s; tests shorten it to watch a lease lapse). */
  leaseTtlMs?: number;
  /** How often play counts are written (default 5 s). */
  playCountIntervalMs?: number;
  /**
   * Where players reach the configured edges, handed out until the edges report their own URLs
   * (default ctx.urls.edge; the composition root passes EDGE_PUBLIC_URLS when given).
   */
  publicEdgeUrls?: readonly string[];
}

export async function buildStreaming(
  ctx: ServiceContext,
  options: StreamingOptions = {},
): Promise<ServiceModule> {
  const { logger } = ctx;
  const db = await ctx.openDb<StreamingTables>('streaming');
  await db.migrate(streamingMigrations);
  const relay = startOutboxRelay({ db, bus: ctx.bus, logger });
  const usersHttp = new ServiceClient({
    service: 'users',
    baseUrls: ctx.urls.users,
    headers: { [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret) },
    timeoutMs: 2_000,
  });
  const users = new UsersClient(usersHttp, missWhenDown(ctx.cache), logger);
  const urls = new MediaUrls(createMediaKeyring({ secret: ctx.secret }));
  const edges = new EdgeDirectory(db, options.publicEdgeUrls ?? ctx.urls.edge);
  const posterUrls = async () => {
    const edgeUrl = (await edges.ranked())[0]?.url;
    return (key: string | null) => urls.artworkUrl(edgeUrl, key);
  };
  const catalog = new Catalog(db, posterUrls);
  const admin = new CatalogAdmin(db);
  const plays = new PlayCounter(db, logger, options.playCountIntervalMs);
  const playable = new PlayableTitles(db);
  // Redis down: lease calls are refused as an outage (503, Retry-After), not as a fault (500).
  const playbackCache = outageAwareCache(ctx.cache);
  const playback = new Playback({
    db,
    cache: playbackCache,
    users,
    edges,
    playable,
    urls,
    logger,
    leaseTtlMs: options.leaseTtlMs,
    plays,
    requireEmailVerification: ctx.settings.AUTH_REQUIRE_EMAIL_VERIFICATION,
  });

  const { app, addReadiness } = createServiceServer({
    name: 'streaming',
    problems: [platformProblems, streamingProblems],
    logger,
  });
  requireServiceToken(app, ctx.secret);
  answerRetryAfter(app);
  addReadiness('db', () => db.ping());
  adminRoutes(app, admin, edges);
  titleEditRoutes(app, new TitleEditing(db, ctx.blobs, (titleId) => playable.forget(titleId)));
  catalogRoutes(app, { catalog, users, logger });
  playbackRoutes(app, playback, new PreparedPlayback({ playback, cache: playbackCache }));
  contentKeyRoutes(
    app,
    new ContentKeyIssuer({
      db,
      users,
      logger,
      keyring: createContentKeyring({
        secret: ctx.secret,
        ...(ctx.settings.MEDIA_MASTER_KEYS ? { masterKeys: ctx.settings.MEDIA_MASTER_KEYS } : {}),
      }),
    }),
  );
  internalRoutes(app, { catalog, admin, edges, steeringBaseUrl: steeringBaseUrl(ctx.settings) });
  accountDataRoutes(app, db);

  let consumer: Subscription | undefined;
  let accountDeletion: Subscription | undefined;
  // Chores beside the requests; stop() waits for the one running before the database closes.
  const background = new BackgroundWork(logger);
  addReadiness('consumer', () => consumer !== undefined || 'asset event consumer not started');
  return {
    name: 'streaming',
    app,
    async start() {
      consumer = await startAssetConsumer({
        bus: ctx.bus,
        db,
        relay,
        logger,
        onReady: (titleId) => playable.forget(titleId),
      });
      accountDeletion = await startAccountDeletion({ bus: ctx.bus, db, cache: ctx.cache, logger });
      plays.start();
      background.every(MAINTENANCE_MS, 'streaming maintenance', () => {
        const before = new Date(Date.now() - 24 * 3_600_000).toISOString();
        return Promise.all([deleteExpiredSessions(db.write, before), edges.forgetSilent()]);
      });
    },
    async stop() {
      await background.stop();
      await consumer?.stop();
      await accountDeletion?.stop();
      await plays.stop();
      await relay.stop();
      await usersHttp.close();
      await db.close();
    },
  };
}
