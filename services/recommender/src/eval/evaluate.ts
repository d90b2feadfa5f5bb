import { runToEnd } from '../app/cooperative.js';
import { DEFAULT_EASE_LAMBDA, trainEaseSteps } from '../app/models/ease.js';
import { buildInteractionMatrix, rowOf, type InteractionMatrix } from '../app/models/interaction-matrix.js';
import { trainItemKnnSteps } from '../app/models/item-knn.js';
import { popularityScorer } from '../app/models/popularity.js';
import type { ItemScorer } from '../app/models/scorer.js';
import { topK } from '../app/models/top-k.js';
import { DAY_MS, trendingScorer } from '../app/models/trending.js';
import { catalogCoverage, ndcgAt, recallAt } from './metrics.js';
import type { Rating } from './ratings.js';
import { binarisedHoldout, type HeldOutSplit, type SplitOptions } from './split.js';

/**
 * Offline evaluation: split (split.ts), train every model on the training part, rank the whole catalog
 * for each test profile minus what it trained on, and score the top of that ranking against what was
 * held out.
 */
export interface EvaluationOptions extends SplitOptions {
  easeLambda?: number;
  /** Above this many items EASE is not trained (its n² memory); the result says so. */
  easeMaxItems?: number;
  neighbours?: number;
  trendingHalfLifeDays?: number;
  /** Only these models (default: all). */
  models?: readonly string[];
}

export interface ModelResult {
  recall20: number;
  ndcg10: number;
  coverage: number;
  trainSeconds: number;
}

export interface Evaluation {
  users: number;
  items: number;
  trainInteractions: number;
  testUsers: number;
  testInteractions: number;
  models: Record<string, ModelResult>;
  skipped: Record<string, string>;
}

export const DEFAULT_EVAL_EASE_MAX_ITEMS = 12_000;

interface Candidate {
  name: string;
  train(matrix: InteractionMatrix, split: HeldOutSplit): ItemScorer;
  skip?(matrix: InteractionMatrix): string | undefined;
}

function candidates(options: EvaluationOptions): Candidate[] {
  const easeMax = options.easeMaxItems ?? DEFAULT_EVAL_EASE_MAX_ITEMS;
  return [
    { name: 'popularity', train: (m) => popularityScorer(m) },
    {
      name: 'trending',
      train: (m, split) => {
        const starts = split.trainTimes.map((t) => ({
          item: m.itemIndex.get(t.item)!,
          atMs: t.timestamp * 1000,
        }));
        return trendingScorer(m.items.length, starts, {
          halfLifeMs: (options.trendingHalfLifeDays ?? 30) * DAY_MS,
        });
      },
    },
    {
      name: 'itemknn',
      train: (m) => runToEnd(trainItemKnnSteps(m, { neighbours: options.neighbours ?? 100 })),
    },
    {
      name: 'ease',
      train: (m) => runToEnd(trainEaseSteps(m, { lambda: options.easeLambda ?? DEFAULT_EASE_LAMBDA })),
      skip: (m) =>
        m.items.length > easeMax
          ? `${m.items.length} items is above --ease-max-items ${easeMax} (EASE needs ${((12 * m.items.length ** 2) / 1e9).toFixed(1)} GB)`
          : undefined,
    },
  ];
}

export function evaluate(ratings: readonly Rating[], options: EvaluationOptions = {}): Evaluation {
  const split = binarisedHoldout(ratings, options);
  const matrix = buildInteractionMatrix(split.train);
  const userIndex = new Map(matrix.users.map((u, i) => [u, i]));
  const evaluation: Evaluation = {
    users: matrix.users.length,
    items: matrix.items.length,
    trainInteractions: split.train.length,
    testUsers: 0,
    testInteractions: 0,
    models: {},
    skipped: {},
  };
  const cases = [...split.test.keys()].flatMap((user) => {
    const u = userIndex.get(user);
    const relevant = new Set(
      split.test
        .get(user)!
        .map((item) => matrix.itemIndex.get(item))
        .filter((i): i is number => i !== undefined),
    );
    if (u === undefined || relevant.size === 0) return [];
    return [{ history: rowOf(matrix, u), relevant }];
  });
  evaluation.testUsers = cases.length;
  evaluation.testInteractions = cases.reduce((s, c) => s + c.relevant.size, 0);

  const wanted = options.models ? new Set(options.models) : undefined;
  const seen = new Uint8Array(matrix.items.length);
  for (const candidate of candidates(options)) {
    if (wanted && !wanted.has(candidate.name)) continue;
    const reason = candidate.skip?.(matrix);
    if (reason) {
      evaluation.skipped[candidate.name] = reason;
      continue;
    }
    const started = performance.now();
    const scorer = candidate.train(matrix, split);
    const trainSeconds = (performance.now() - started) / 1000;
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
    evaluation.models[candidate.name] = {
      recall20: recall / users,
      ndcg10: ndcg / users,
      coverage: catalogCoverage(lists, matrix.items.length),
      trainSeconds,
    };
  }
  return evaluation;
}
