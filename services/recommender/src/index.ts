import { createServiceServer, requireServiceToken, type ServiceModule } from '@marquee/core';
import type { ServiceContext, Subscription } from '@marquee/platform';
import { HomeService } from './app/home-service.js';
import type { ModelSnapshot } from './app/training.js';
import type { UsersDirectory } from './app/users-directory.js';
import { recommenderConfig, type RecommenderOverrides } from './config.js';
import { registerRoutes } from './http/routes.js';
import { usersDirectory } from './http/users-client.js';
import { recommenderEventHandler } from './jobs/event-consumer.js';
import { CONSUMED_EVENT_TYPES } from './jobs/event-changes.js';
import { ModelTrainer } from './jobs/model-trainer.js';
import { cooperativeTraining, workerTraining } from './jobs/training-runner.js';
import { RecommenderStore } from './store/recommender-store.js';
import type { RecommenderTables } from './store/tables.js';

export type { Home, HomeItem, HomeRow } from './app/home-rows.js';
export type { RecommenderOverrides } from './config.js';

export interface RecommenderModule extends ServiceModule {
  /** Retrains every model now from the store and waits for it (tests, operations). */
  retrainNow(): Promise<ModelSnapshot>;
}

export interface RecommenderOptions extends RecommenderOverrides {
  /** Replaces the users HTTP client (a test double of the users API is better served as a real server). */
  usersDirectory?: UsersDirectory;
}

/**
 * The recommender service: consumes viewing, rating, list, title and profile events into its own
 * tables, trains the models (training.ts) by the retraining policy, and serves home pages.
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

  const { app } = createServiceServer({
    name: 'recommender',
    logger: ctx.logger,
    readiness: {
      database: () => store.ping(),
      models: () => trainer.isReady() || 'first training from the store has not finished',
    },
  });
  requireServiceToken(app, ctx.secret);
  registerRoutes(app, home);

  let subscription: Subscription | undefined;
  return {
    name: 'recommender',
    app,
    retrainNow: () => trainer.retrainNow(),
    async start() {
      trainer.start();
      subscription = await ctx.bus.subscribe({
        group: config.consumerGroup,
        types: CONSUMED_EVENT_TYPES,
        handler: recommenderEventHandler({ store, trainer, home, logger: ctx.logger }),
        concurrency: config.consumerConcurrency,
      });
    },
    async stop() {
      await subscription?.stop();
      await trainer.stop();
      await client?.close();
      await store.close();
    },
  };
}
