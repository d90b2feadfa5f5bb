import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createServiceServer, requireServiceToken, type ServiceModule } from '@marquee/core';
import {
  platformProblems,
  registerEventOutageMetrics,
  type ServiceContext,
  type Subscription,
} from '@marquee/platform';
import { HomeService } from './app/home-service.js';
import type { ModelSnapshot } from './app/training.js';
import type { UsersDirectory } from './app/users-directory.js';
import { recommenderConfig, type RecommenderOverrides } from './config.js';
import { registerRoutes } from './http/routes.js';
import { usersDirectory } from './http/users-client.js';
import { recommenderEventHandler } from './jobs/event-consumer.js';
import { CONSUMED_EVENT_TYPES } from './jobs/event-changes.js';
import { ModelReplication, type ModelStatus } from './jobs/model-replication.js';
import { ModelTrainer } from './jobs/model-trainer.js';
import { cooperativeTraining, workerTraining } from './jobs/training-runner.js';
import { RecommenderStore } from './store/recommender-store.js';
import type { RecommenderTables } from './store/tables.js';
import { recommenderProblems } from './app/problems.js';

export type { Home, HomeItem, HomeRow } from './app/home-rows.js';
export type { RecommenderOverrides } from './config.js';
export type { ModelStatus } from './jobs/model-replication.js';

export interface RecommenderModule extends ServiceModule {
  /**
   * On the trainer: retrains every model now from the store, publishes it and waits for both. On
   * another replica: loads the latest published model. Either way, the model now served (tests, operations).
   */
  retrainNow(): Promise<ModelSnapshot>;
  /** Which model this replica serves and whether it is the trainer (also GET /internal/model). */
  modelStatus(): ModelStatus;
}

export interface RecommenderOptions extends RecommenderOverrides {
  /** Replaces the users HTTP client (a test double of the users API is better served as a real server). */
  usersDirectory?: UsersDirectory;
  /** This replica's name in the trainer lease; must differ between replicas sharing the cache. */
  replica?: string;
}

/**
 * The recommender service: consumes viewing, rating, list, title and profile events into its own
 * tables, trains the models (training.ts) by the retraining policy, and serves home pages. With
 * several replicas only the holder of the trainer lease trains; it publishes each model to the blob
 * store and the other replicas load it from there (model-replication.ts).
 */
export async function buildRecommender(
  ctx: ServiceContext,
  options: RecommenderOptions = {},
): Promise<RecommenderModule> {
  const config = recommenderConfig(ctx.settings, options);
  const store = new RecommenderStore(await ctx.openDb<RecommenderTables>('recommender'));
  await store.migrate();
  const client = options.usersDirectory
    ? undefined
    : usersDirectory(ctx.urls.users, ctx.secret, config.users);
  const users = options.usersDirectory ?? client!;
  const trainer = new ModelTrainer({
    runner: config.trainInWorker ? workerTraining(ctx.logger) : cooperativeTraining,
    load: async () => {
      const [titles, interactions] = await Promise.all([store.titles(), store.interactions()]);
      return { titles, interactions };
    },
    config: config.training,
    policy: config.policy,
    logger: ctx.logger,
    onTrained: (snapshot, _seconds, titles) => replication.trained(snapshot, titles),
  });
  const home = new HomeService({
    history: store,
    users,
    model: () => trainer.current(),
    cache: ctx.cache,
    logger: ctx.logger,
    limits: config.limits,
    ttls: config.ttls,
  });

  const { app, metrics } = createServiceServer({
    name: 'recommender',
    problems: [platformProblems, recommenderProblems],
    logger: ctx.logger,
    readiness: {
      database: () => store.ping(),
      models: () => trainer.isReady() || 'first training from the store has not finished',
    },
  });
  requireServiceToken(app, ctx.secret);
  // Its consumer needs Redis (home-page invalidation): events it holds back while Redis is down.
  registerEventOutageMetrics(metrics.registry);
  const replication = new ModelReplication({
    replica: options.replica ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    leaseTtlMs: config.replication.leaseTtlMs,
    pollMs: config.replication.pollMs,
    cache: ctx.cache,
    blobs: ctx.blobs,
    trainer,
    logger: ctx.logger,
    registry: metrics.registry,
  });
  registerRoutes(app, home, () => replication.status());

  let subscription: Subscription | undefined;
  return {
    name: 'recommender',
    app,
    async retrainNow() {
      if (!replication.isTrainer()) {
        await replication.pollAfterNow();
        return trainer.current();
      }
      const snapshot = await trainer.retrainNow();
      await replication.publishLatest();
      return snapshot;
    },
    modelStatus: () => replication.status(),
    async start() {
      trainer.start();
      await replication.start();
      subscription = await ctx.bus.subscribe({
        group: config.consumerGroup,
        types: CONSUMED_EVENT_TYPES,
        handler: recommenderEventHandler({ store, trainer: replication, home, logger: ctx.logger }),
        concurrency: config.consumerConcurrency,
      });
    },
    async stop() {
      await subscription?.stop();
      await replication.stop();
      await trainer.stop();
      await client?.close();
      await store.close();
    },
  };
}
