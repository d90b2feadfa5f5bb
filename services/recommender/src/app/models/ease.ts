import type { InteractionMatrix, SparseRow } from './interaction-matrix.js';
import { runToEnd } from '../cooperative.js';
import type { ItemScorer } from './scorer.js';
import { invertSpdSteps } from './spd-inverse.js';

/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): a closed-form item-item
 * model. With X the profiles × items matrix,
 *
 *   P = (XᵀX + λI)⁻¹        B = I − P·diag(1/diag(P))   i.e. B[i,j] = −P[i,j] / P[j,j], B[j,j] = 0
 *
 * and a profile's scores are x_u·B. Training is one dense n×n inverse: n³/2 multiply-adds and 8n² bytes
 * for the Float64 Gram matrix (inverted in place), plus 4n² bytes for the Float32 weights kept for
 * serving. The cost is cubic in the catalog, independent of the number of profiles (their only cost
 * is Σ_u |row u|² to form XᵀX); see docs/recommendations.md for measured sizes and the item limit
 * above which the service falls back to item-kNN.
 */
export interface EaseOptions {
  /** L2 regularisation λ on the diagonal of XᵀX (default 100). Larger for denser data. */
  lambda?: number;
}

export interface EaseModel extends ItemScorer {
  /** B as row-major n×n Float32 (row i: how much having i raises every item). */
  readonly weights: Float32Array;
}

export const DEFAULT_EASE_LAMBDA = 100;

/** Bytes EASE needs at its peak for n items: the Float64 Gram/inverse plus the Float32 weights. */
export function easePeakBytes(n: number): number {
  return 12 * n * n;
}

/** Training steps (Gram matrix, inverse, weights), yielding every few milliseconds of work. */
export function* trainEaseSteps(
  matrix: InteractionMatrix,
  options: EaseOptions = {},
): Generator<void, EaseModel, void> {
  const n = matrix.items.length;
  const lambda = options.lambda ?? DEFAULT_EASE_LAMBDA;
  if (!(lambda > 0)) throw new RangeError('EASE needs λ > 0 (XᵀX alone is singular in general)');
  const g = new Float64Array(n * n);
  for (let u = 0; u < matrix.users.length; u++) {
    const start = matrix.rowStart[u]!;
    const end = matrix.rowStart[u + 1]!;
    for (let p = start; p < end; p++) {
      const row = matrix.columns[p]! * n;
      const vp = matrix.values[p]!;
      for (let q = start; q < end; q++) g[row + matrix.columns[q]!]! += vp * matrix.values[q]!;
    }
    if (u % 256 === 255) yield;
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += lambda;

  yield* invertSpdSteps(g, n);

  const weights = new Float32Array(n * n);
  const diagonal = new Float64Array(n);
  for (let j = 0; j < n; j++) diagonal[j] = g[j * n + j]!;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) weights[row + j] = i === j ? 0 : -g[row + j]! / diagonal[j]!;
    if (i % 256 === 255) yield;
  }
  return easeModel(n, weights);
}

export function trainEase(matrix: InteractionMatrix, options: EaseOptions = {}): EaseModel {
  return runToEnd(trainEaseSteps(matrix, options));
}

/** The model over trained weights (trained here, or received from a training worker). */
export function easeModel(n: number, weights: Float32Array): EaseModel {
  return {
    name: 'ease',
    itemCount: n,
    weights,
    score(history: SparseRow): Float32Array {
      const out = new Float32Array(n);
      for (let h = 0; h < history.indices.length; h++) {
        const row = history.indices[h]! * n;
        const weight = history.values[h]!;
        for (let j = 0; j < n; j++) out[j]! += weight * weights[row + j]!;
      }
      return out;
    },
  };
}
