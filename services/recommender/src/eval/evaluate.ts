import { availableParallelism } from 'node:os';
import { runToEnd } from '../app/cooperative.js';
import { DEFAULT_EASE_LAMBDA } from '../app/models/ease.js';
import { buildInteractionMatrix, rowOf, type InteractionMatrix } from '../app/models/interaction-matrix.js';
import { DEFAULT_KNN_NEIGHBOURS, DEFAULT_KNN_SHRINK, trainItemKnnSteps } from '../app/models/item-knn.js';
import { popularityScorer } from '../app/models/popularity.js';
import type { ItemScorer } from '../app/models/scorer.js';
import { topK } from '../app/models/top-k.js';
import { DAY_MS, trendingScorer } from '../app/models/trending.js';
import { DEFAULT_TOP_PICKS_BLEND, type TopPicksBlend } from '../app/personal-ranking.js';
import { DEFAULT_TRAINING_CONFIG, type ModelSnapshot, type TrainingConfig } from '../app/training.js';
import { catalogCoverage, ndcgAt, recallAt } from './metrics.js';
import type { Rating } from './ratings.js';
import { servedScorer, trainServiceSnapshot, type TitleFacts } from './served.js';
import { binarisedHoldout, type HeldOutSplit, type SplitOptions } from './split.js';
import { meanAndStdErr } from './stats.js';
import { tuneOnValidation, type Tuned } from './tune.js';

/**
 * Offline evaluation: for each seed, split (split.ts), train every model on the training part, rank
 * every training item for each test profile minus what it trained on, and score the top of that
 * ranking against what was held out; report the mean over seeds and its standard error.
 *
 * `ease` is EASE as the service trains it (on the most active items up to easeMaxItems, item-kNN for
 * any beyond), and `served` is what a viewer gets: the service's "Top picks" blend of that model with
 * content similarity and popularity (personalScores), so the blend's weights can be measured.
 */
export interface EvaluationOptions extends SplitOptions {
  /** One evaluation per seed (default 42, 43, 44; a time split is the same for every seed). */
  seeds?: readonly number[];
  easeLambda?: number;
  /** EASE on at most this many active items, item-kNN for the rest (the service's setting). */
  easeMaxItems?: number;
  neighbours?: number;
  shrink?: number;
  blend?: TopPicksBlend;
  trendingHalfLifeDays?: number;
  /** Only these models (default: all). */
  models?: readonly string[];
  /** Genres and year per item, for the content part of `served`. */
  titles?: ReadonlyMap<string, TitleFacts>;
  /** Choose λ, k, shrinkage and the blend on a validation split carved from the first seed's training part. */
  tune?: boolean;
  /** Threads for EASE (default: the CPUs available). */
  threads?: number;
}

export interface ModelResult {
  recall20: number;
  recall20StdErr: number | null;
  ndcg10: number;
  ndcg10StdErr: number | null;
  coverage: number;
  coverageStdErr: number | null;
  trainSeconds: number;
}

export interface Evaluation {
  seeds: number[];
  split: 'random' | 'time';
  users: number;
  items: number;
  trainInteractions: number;
  testUsers: number;
  testInteractions: number;
  /** Held-out positives on items no training profile has: no model can rank them (mean per seed). */
  droppedHeldOut: number;
  settings: {
    easeLambda: number;
    easeMaxItems: number;
    neighbours: number;
    shrink: number;
    blend: TopPicksBlend;
  };
  models: Record<string, ModelResult>;
  skipped: Record<string, string>;
  tuned?: Tuned;
}

export const MODEL_NAMES = ['popularity', 'trending', 'itemknn', 'ease', 'served'] as const;
export const DEFAULT_SEEDS = [42, 43, 44];

export interface TestCase {
  history: ReturnType<typeof rowOf>;
  relevant: Set<number>;
}

/** Test profiles of a split over the matrix's items, and how many held-out items it cannot rank. */
export function testCases(
  matrix: InteractionMatrix,
  split: HeldOutSplit,
): { cases: TestCase[]; dropped: number } {
  const userIndex = new Map(matrix.users.map((u, i) => [u, i]));
  let dropped = 0;
  const cases = [...split.test.keys()].flatMap((user) => {
    const u = userIndex.get(user);
    const relevant = new Set<number>();
    for (const item of split.test.get(user)!) {
      const i = matrix.itemIndex.get(item);
      if (i === undefined) dropped++;
      else relevant.add(i);
    }
    if (u === undefined || relevant.size === 0) return [];
    return [{ history: rowOf(matrix, u), relevant }];
  });
  return { cases, dropped };
}

/** Recall@20, NDCG@10 (means over the cases) and catalog coverage of one scorer. */
export function scoreCases(scorer: ItemScorer, cases: readonly TestCase[], items: number) {
  const seen = new Uint8Array(items);
  let recall = 0;
  let ndcg = 0;
  const lists: number[][] = [];
  for (const { history, relevant } of cases) {
    for (const i of history.indices) seen[i] = 1;
    const ranked = topK(scorer.score(history), 20, (j) => seen[j] === 0);
    for (const i of history.indices) seen[i] = 0;
    recall += recallAt(20, ranked, relevant);
    ndcg += ndcgAt(10, ranked, relevant);
    lists.push(ranked);
  }
  const users = Math.max(1, cases.length);
  return { recall20: recall / users, ndcg10: ndcg / users, coverage: catalogCoverage(lists, items) };
}

/** The service's training configuration for these options. */
export function serviceConfig(settings: Evaluation['settings'], threads: number): TrainingConfig {
  return {
    ...DEFAULT_TRAINING_CONFIG,
    easeLambda: settings.easeLambda,
    easeMaxItems: settings.easeMaxItems,
    neighbours: settings.neighbours,
    shrink: settings.shrink,
    threads,
  };
}

type Trained = { scorer: ItemScorer; seconds: number } | { skipped: string };

function timed(train: () => ItemScorer): Trained {
  const started = performance.now();
  const scorer = train();
  return { scorer, seconds: (performance.now() - started) / 1000 };
}

export function evaluate(ratings: readonly Rating[], options: EvaluationOptions = {}): Evaluation {
  const order = options.order ?? 'random';
  const seeds = [...(options.seeds ?? (order === 'time' ? [42] : DEFAULT_SEEDS))];
  const threads = options.threads ?? availableParallelism();
  const wanted = new Set(options.models ?? MODEL_NAMES);
  let settings: Evaluation['settings'] = {
    easeLambda: options.easeLambda ?? DEFAULT_EASE_LAMBDA,
    easeMaxItems: options.easeMaxItems ?? DEFAULT_TRAINING_CONFIG.easeMaxItems,
    neighbours: options.neighbours ?? DEFAULT_KNN_NEIGHBOURS,
    shrink: options.shrink ?? DEFAULT_KNN_SHRINK,
    blend: options.blend ?? DEFAULT_TOP_PICKS_BLEND,
  };
  let tuned: Tuned | undefined;
  const splitOf = (seed: number) => binarisedHoldout(ratings, { ...options, seed, order });
  if (options.tune) {
    tuned = tuneOnValidation(splitOf(seeds[0]!), { ...options, order, seed: seeds[0]! }, settings, threads);
    settings = tuned.settings;
  }

  const perModel = new Map<
    string,
    { recall20: number[]; ndcg10: number[]; coverage: number[]; seconds: number[] }
  >();
  const skipped: Record<string, string> = {};
  const dataset = { users: 0, items: 0, trainInteractions: 0, testUsers: 0, testInteractions: 0, dropped: 0 };
  for (const seed of seeds) {
    const split = splitOf(seed);
    const matrix = buildInteractionMatrix(split.train);
    const { cases, dropped } = testCases(matrix, split);
    dataset.users += matrix.users.length;
    dataset.items += matrix.items.length;
    dataset.trainInteractions += split.train.length;
    dataset.testUsers += cases.length;
    dataset.testInteractions += cases.reduce((s, c) => s + c.relevant.size, 0);
    dataset.dropped += dropped;

    let snapshot: { value: ModelSnapshot; seconds: number } | undefined;
    const service = () => {
      if (!snapshot) {
        const started = performance.now();
        const value = trainServiceSnapshot(matrix, split, serviceConfig(settings, threads), options.titles);
        snapshot = { value, seconds: (performance.now() - started) / 1000 };
      }
      return snapshot;
    };
    const trainers: Record<string, () => Trained> = {
      popularity: () => timed(() => popularityScorer(matrix)),
      trending: () =>
        timed(() =>
          trendingScorer(
            matrix.items.length,
            split.trainTimes.map((t) => ({ item: matrix.itemIndex.get(t.item)!, atMs: t.timestamp * 1000 })),
            { halfLifeMs: (options.trendingHalfLifeDays ?? 30) * DAY_MS },
          ),
        ),
      itemknn: () =>
        timed(() =>
          runToEnd(trainItemKnnSteps(matrix, { neighbours: settings.neighbours, shrink: settings.shrink })),
        ),
      ease: () => {
        const { value, seconds } = service();
        if (value.personalModel !== 'ease')
          return { skipped: `EASE is off (easeMaxItems ${settings.easeMaxItems})` };
        return { scorer: value.personal!, seconds };
      },
      served: () => {
        const { value, seconds } = service();
        return { scorer: servedScorer(value, settings.blend), seconds };
      },
    };
    for (const name of MODEL_NAMES) {
      if (!wanted.has(name)) continue;
      const trained = trainers[name]!();
      if ('skipped' in trained) {
        skipped[name] = trained.skipped;
        continue;
      }
      const figures = scoreCases(trained.scorer, cases, matrix.items.length);
      const entry = perModel.get(name) ?? { recall20: [], ndcg10: [], coverage: [], seconds: [] };
      entry.recall20.push(figures.recall20);
      entry.ndcg10.push(figures.ndcg10);
      entry.coverage.push(figures.coverage);
      entry.seconds.push(trained.seconds);
      perModel.set(name, entry);
    }
  }

  const models: Record<string, ModelResult> = {};
  for (const [name, f] of perModel) {
    const recall = meanAndStdErr(f.recall20);
    const ndcg = meanAndStdErr(f.ndcg10);
    const coverage = meanAndStdErr(f.coverage);
    models[name] = {
      recall20: recall.mean,
      recall20StdErr: recall.stdErr,
      ndcg10: ndcg.mean,
      ndcg10StdErr: ndcg.stdErr,
      coverage: coverage.mean,
      coverageStdErr: coverage.stdErr,
      trainSeconds: meanAndStdErr(f.seconds).mean,
    };
  }
  const per = (total: number) => total / seeds.length;
  return {
    seeds,
    split: order,
    users: per(dataset.users),
    items: per(dataset.items),
    trainInteractions: per(dataset.trainInteractions),
    testUsers: per(dataset.testUsers),
    testInteractions: per(dataset.testInteractions),
    droppedHeldOut: per(dataset.dropped),
    settings,
    models,
    skipped,
    ...(tuned ? { tuned } : {}),
  };
}
