import { runToEnd } from '../app/cooperative.js';
import { buildInteractionMatrix } from '../app/models/interaction-matrix.js';
import { trainItemKnnSteps } from '../app/models/item-knn.js';
import type { TopPicksBlend } from '../app/personal-ranking.js';
import type { ModelSnapshot } from '../app/training.js';
import type { Evaluation, EvaluationOptions } from './evaluate.js';
import { scoreCases, serviceConfig, testCases } from './evaluate.js';
import { servedScorer, trainServiceSnapshot } from './served.js';
import { validationSplit, type HeldOutSplit } from './split.js';

/** What --tune chose, and the validation NDCG@10 of every candidate it tried. */
export interface Tuned {
  settings: Evaluation['settings'];
  validation: {
    lambda: { value: number; ndcg10: number }[];
    knn: { neighbours: number; shrink: number; ndcg10: number }[];
    blend: { blend: TopPicksBlend; ndcg10: number }[];
  };
}

export const LAMBDAS = [25, 50, 100, 200, 400, 800];
export const NEIGHBOURS = [50, 100, 200, 400];
export const SHRINKS = [0, 10, 25, 50, 100];
export const BLENDS: TopPicksBlend[] = [
  { cf: 1, content: 0, popularity: 0 },
  { cf: 0.95, content: 0, popularity: 0.05 },
  { cf: 0.9, content: 0.05, popularity: 0.05 },
  { cf: 0.85, content: 0.1, popularity: 0.05 },
  { cf: 0.75, content: 0.2, popularity: 0.05 },
];

/**
 * Chooses λ, then k, then the shrinkage at that k, then the Top-picks blend, each by NDCG@10 on a
 * validation split carved from the training part of `split` (the test part is never looked at). One
 * parameter at a time: the grid stays small enough to run on a laptop-sized machine.
 */
export function tuneOnValidation(
  split: HeldOutSplit,
  options: EvaluationOptions & { seed: number },
  start: Evaluation['settings'],
  threads: number,
): Tuned {
  const validation = validationSplit(split, options);
  const matrix = buildInteractionMatrix(validation.train);
  const { cases } = testCases(matrix, validation);
  const ndcg = (scorer: Parameters<typeof scoreCases>[0]) =>
    scoreCases(scorer, cases, matrix.items.length).ndcg10;
  const settings = { ...start };
  const result: Tuned['validation'] = { lambda: [], knn: [], blend: [] };

  let best: { snapshot: ModelSnapshot; ndcg10: number } | undefined;
  for (const value of LAMBDAS) {
    const config = serviceConfig({ ...settings, easeLambda: value }, threads);
    const snapshot = trainServiceSnapshot(matrix, validation, config, options.titles);
    if (!snapshot.personal) break;
    const score = ndcg(snapshot.personal);
    result.lambda.push({ value, ndcg10: score });
    if (!best || score > best.ndcg10) {
      best = { snapshot, ndcg10: score };
      settings.easeLambda = value;
    }
  }

  const knn = (neighbours: number, shrink: number) => {
    const model = runToEnd(trainItemKnnSteps(matrix, { neighbours, shrink }));
    const score = ndcg(model);
    result.knn.push({ neighbours, shrink, ndcg10: score });
    return score;
  };
  let bestKnn = -1;
  for (const neighbours of NEIGHBOURS) {
    const score = knn(neighbours, 0);
    if (score > bestKnn) [bestKnn, settings.neighbours, settings.shrink] = [score, neighbours, 0];
  }
  for (const shrink of SHRINKS.filter((s) => s > 0)) {
    const score = knn(settings.neighbours, shrink);
    if (score > bestKnn) [bestKnn, settings.shrink] = [score, shrink];
  }

  if (best) {
    let bestBlend = -1;
    for (const blend of BLENDS) {
      const score = ndcg(servedScorer(best.snapshot, blend));
      result.blend.push({ blend, ndcg10: score });
      if (score > bestBlend) [bestBlend, settings.blend] = [score, blend];
    }
  }
  return { settings, validation: result };
}
