import { Type } from '@sinclair/typebox';
import type { FragmentSettings, SettingsFragment } from '@marquee/core';

/**
 * The recommender's settings (RECS_*), declared beside the code that reads them (config.ts); the CLI
 * composes them into the one validated schema, and the README's table lists them.
 */
export const recommenderSettings = {
  RECS_EASE_MAX_ITEMS: Type.Integer({
    minimum: 0,
    default: 10000,
    description:
      'recommender: EASE on at most this many watched titles (the most watched), item-kNN for the rest; 0 for item-kNN only (EASE trains in n³ time and 4·n² bytes: ~400 MiB at 10,000)',
  }),
  RECS_EASE_LAMBDA: Type.Number({
    exclusiveMinimum: 0,
    default: 100,
    description: 'recommender: EASE regularisation λ (choose it with `recs:eval --tune`)',
  }),
  RECS_KNN_NEIGHBOURS: Type.Integer({
    minimum: 1,
    default: 200,
    description: 'recommender: item-kNN neighbours kept per title (choose with `recs:eval --tune`)',
  }),
  RECS_KNN_SHRINK: Type.Number({
    minimum: 0,
    default: 100,
    description:
      'recommender: item-kNN shrinkage added to the cosine denominator (choose with `recs:eval --tune`)',
  }),
  RECS_TRAINING_THREADS: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 64,
      description: 'recommender: threads for the EASE inverse (default: the CPUs available)',
    }),
  ),
  RECS_RETRAIN_AFTER_EVENTS: Type.Integer({
    minimum: 1,
    default: 500,
    description: 'recommender: retrain after this many new viewing/rating/list events',
  }),
  RECS_RETRAIN_INTERVAL_MINUTES: Type.Number({
    minimum: 0.01,
    default: 15,
    description: 'recommender: retrain on this schedule when anything new arrived',
  }),
  RECS_TRAINER_LEASE_SECONDS: Type.Number({
    minimum: 1,
    maximum: 600,
    default: 15,
    description:
      'recommender: TTL of the trainer lease (renewed every third of it); a dead trainer is replaced within about 4/3 of it',
  }),
  RECS_MODEL_POLL_SECONDS: Type.Number({
    minimum: 0.1,
    maximum: 300,
    default: 2,
    description:
      'recommender: how often replicas that do not train check for a newer published model (and the trainer for forwarded events)',
  }),
} satisfies SettingsFragment;

export type RecommenderSettings = FragmentSettings<typeof recommenderSettings>;
