import type { InteractionMatrix } from './interaction-matrix.js';
import type { ItemScorer } from './scorer.js';

/**
 * Popularity: each item's total interaction weight across profiles. The same list for everyone: the
 * baseline every personalised model must beat, and the answer for a profile with no history.
 */
export function popularityScores(matrix: InteractionMatrix): Float32Array {
  const scores = new Float32Array(matrix.items.length);
  for (let p = 0; p < matrix.columns.length; p++) scores[matrix.columns[p]!]! += matrix.values[p]!;
  return scores;
}

export function popularityScorer(matrix: InteractionMatrix): ItemScorer {
  const scores = popularityScores(matrix);
  return { name: 'popularity', itemCount: scores.length, score: () => scores.slice() };
}
