import type { InteractionMatrix, SparseRow } from './interaction-matrix.js';
import { runToEnd } from '../cooperative.js';
import type { ItemScorer } from './scorer.js';
import { sweepBytes, sweepSteps, sweepWorkspace, type SweepWorkspace } from './dense/sweep-inverse.js';
import { startSweepHelpers } from './dense/sweep-threads.js';

/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): a closed-form item-item
 * model. With X the profiles × items matrix,
 *
 *   P = (XᵀX + λI)⁻¹        B = I − P·diag(1/diag(P))   i.e. B[i,j] = −P[i,j] / P[j,j], B[j,j] = 0
 *
 * and a profile's scores are x_u·B. Training is one dense n×n inverse (n³/2 multiply-adds): the
 * blocked symmetric sweep of dense/sweep-inverse.ts, in float32 WebAssembly SIMD on `threads`
 * threads, in ONE shared buffer of 4·n² bytes (plus two n×128 panels) that becomes the weights B in
 * place. The cost is cubic in the items, independent of the number of profiles (their only cost is
 * Σ_u |row u|² to form XᵀX). The items are the matrix's columns: train it on the items that were
 * watched (see training.ts), not on the catalog.
 */
export interface EaseOptions {
  /** L2 regularisation λ on the diagonal of XᵀX (default 100). Larger for denser data. */
  lambda?: number;
  /** Threads for the inverse, this one included (default 1). Helpers start at 512 items and up. */
  threads?: number;
}

export interface EaseModel extends ItemScorer {
  /** B as row-major n×n Float32 (row i: how much having i raises every item). */
  readonly weights: Float32Array;
}

export const DEFAULT_EASE_LAMBDA = 100;
/** Below this many items one thread finishes before a helper thread has started. */
const HELPERS_FROM_ITEMS = 512;

/** Bytes EASE needs at its peak for n items: the float32 matrix, its padding and panels. */
export function easePeakBytes(n: number): number {
  return sweepBytes(n);
}

/** XᵀX + λI into the workspace's lower triangle (float32 cells; each profile adds |row|²/2 cells). */
function* gramSteps(matrix: InteractionMatrix, lambda: number, workspace: SweepWorkspace) {
  const g = workspace.matrix;
  const stride = workspace.layout.size;
  for (let u = 0; u < matrix.users.length; u++) {
    const start = matrix.rowStart[u]!;
    const end = matrix.rowStart[u + 1]!;
    for (let p = start; p < end; p++) {
      // Columns ascend within a row, so q ≤ p is the lower triangle.
      const row = matrix.columns[p]! * stride;
      const vp = matrix.values[p]!;
      for (let q = start; q <= p; q++) g[row + matrix.columns[q]!]! += vp * matrix.values[q]!;
    }
    if (u % 256 === 255) yield;
  }
  const n = matrix.items.length;
  for (let i = 0; i < n; i++) g[i * stride + i]! += lambda;
}

/**
 * From M = −P (lower triangle) to B = −P[i,j]/P[j,j] = −M[i,j]/M[j,j] in both triangles, in tiles
 * (each lower cell also writes its mirror), then the rows moved to stride n.
 */
function* weightsSteps(workspace: SweepWorkspace): Generator<void, Float32Array, void> {
  const n = workspace.layout.n;
  const stride = workspace.layout.size;
  const m = workspace.matrix;
  const diagonal = new Float64Array(n);
  for (let j = 0; j < n; j++) diagonal[j] = m[j * stride + j]!;
  const tile = 64;
  for (let i0 = 0; i0 < n; i0 += tile) {
    for (let j0 = 0; j0 <= i0; j0 += tile) {
      for (let i = i0; i < Math.min(n, i0 + tile); i++) {
        const di = diagonal[i]!;
        for (let j = j0; j < Math.min(i, j0 + tile); j++) {
          const v = m[i * stride + j]!;
          m[i * stride + j] = -v / diagonal[j]!;
          m[j * stride + i] = -v / di;
        }
      }
    }
    for (let i = i0; i < Math.min(n, i0 + tile); i++) m[i * stride + i] = 0;
    yield;
  }
  for (let i = 1; i < n; i++) m.copyWithin(i * n, i * stride, i * stride + n);
  return new Float32Array(m.buffer, m.byteOffset, n * n);
}

/** Training steps (Gram matrix, inverse, weights); with one thread they yield every few ms of work. */
export function* trainEaseSteps(
  matrix: InteractionMatrix,
  options: EaseOptions = {},
): Generator<void, EaseModel, void> {
  const n = matrix.items.length;
  const lambda = options.lambda ?? DEFAULT_EASE_LAMBDA;
  if (!(lambda > 0)) throw new RangeError('EASE needs λ > 0 (XᵀX alone is singular in general)');
  const workspace = sweepWorkspace(n);
  yield* gramSteps(matrix, lambda, workspace);
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const helpers =
    threads > 1 && n >= HELPERS_FROM_ITEMS ? startSweepHelpers(workspace, threads - 1) : undefined;
  try {
    yield* sweepSteps(workspace, helpers);
  } finally {
    helpers?.stop();
  }
  return easeModel(n, yield* weightsSteps(workspace));
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
