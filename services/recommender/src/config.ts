import { availableParallelism } from 'node:os';
import { settingsOf, type Settings } from '@marquee/core';
import { DEFAULT_HOME_TTLS, type HomeCacheTtls } from './app/home-service.js';
import { DEFAULT_ROW_LIMITS, type RowLimits } from './app/home-plan.js';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from './app/training.js';
import { DEFAULT_RETRAIN_POLICY, type RetrainPolicy } from './jobs/retrain-policy.js';
import { recommenderSettings } from './settings.js';

/** The recommender's configuration: the settings it reads (RECS_*), then code defaults. */
export interface RecommenderConfig {
  training: TrainingConfig;
  policy: RetrainPolicy;
  limits: RowLimits;
  ttls: HomeCacheTtls;
  /** Calls to users: timeout, and how long its circuit breaker stays open after repeated failures. */
  users: { timeoutMs: number; breakerCooldownMs: number };
  /** Event handler calls in flight at once (the store's merges are order-independent). */
  consumerConcurrency: number;
  /**
   * The durable consumer group. A new group starts at the beginning of the stream: pointing a fresh
   * database at a new group rebuilds the recommender's tables (and so its models) from the replay.
   */
  consumerGroup: string;
  /** Train on a worker thread (default) rather than in slices on the serving thread. */
  trainInWorker: boolean;
  /**
   * One trainer among the replicas: how long its lease outlives its last renewal (another replica
   * takes over within about 4/3 of it), and how often the others check for a newer published model.
   */
  replication: { leaseTtlMs: number; pollMs: number };
}

export interface RecommenderOverrides {
  training?: Partial<TrainingConfig>;
  policy?: Partial<RetrainPolicy>;
  limits?: Partial<RowLimits>;
  ttls?: Partial<HomeCacheTtls>;
  users?: { timeoutMs?: number; breakerCooldownMs?: number };
  consumerConcurrency?: number;
  consumerGroup?: string;
  trainInWorker?: boolean;
  replication?: { leaseTtlMs?: number; pollMs?: number };
}

/** The RECS_* part of `settings` is read (settings.ts), with their defaults where it has none. */
export function recommenderConfig(
  settings: Settings,
  overrides: RecommenderOverrides = {},
): RecommenderConfig {
  const recs = settingsOf(recommenderSettings, settings);
  return {
    training: {
      ...DEFAULT_TRAINING_CONFIG,
      easeMaxItems: recs.RECS_EASE_MAX_ITEMS,
      easeLambda: recs.RECS_EASE_LAMBDA,
      neighbours: recs.RECS_KNN_NEIGHBOURS,
      shrink: recs.RECS_KNN_SHRINK,
      threads: recs.RECS_TRAINING_THREADS ?? availableParallelism(),
      ...overrides.training,
    },
    policy: {
      ...DEFAULT_RETRAIN_POLICY,
      afterEvents: recs.RECS_RETRAIN_AFTER_EVENTS,
      intervalMs: recs.RECS_RETRAIN_INTERVAL_MINUTES * 60_000,
      ...overrides.policy,
    },
    limits: { ...DEFAULT_ROW_LIMITS, ...overrides.limits },
    ttls: { ...DEFAULT_HOME_TTLS, ...overrides.ttls },
    users: { timeoutMs: 800, breakerCooldownMs: 5_000, ...overrides.users },
    consumerConcurrency: overrides.consumerConcurrency ?? 4,
    consumerGroup: overrides.consumerGroup ?? 'recommender',
    trainInWorker: overrides.trainInWorker ?? true,
    replication: {
      leaseTtlMs: recs.RECS_TRAINER_LEASE_SECONDS * 1000,
      pollMs: recs.RECS_MODEL_POLL_SECONDS * 1000,
      ...overrides.replication,
    },
  };
}
