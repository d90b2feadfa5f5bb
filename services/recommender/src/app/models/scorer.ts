import type { SparseRow } from './interaction-matrix.js';

/**
 * What a trained model answers: a score for every item of its matrix, given one profile's history
 * (a row over the same items). Higher is better; the caller removes what the profile already saw.
 */
export interface ItemScorer {
  readonly name: string;
  readonly itemCount: number;
  score(history: SparseRow): Float32Array;
}
