import { itemColumns, type InteractionMatrix, type SparseRow } from './interaction-matrix.js';
import { runToEnd } from '../cooperative.js';
import type { ItemScorer } from './scorer.js';
import { topK } from './top-k.js';

/**
 * Item-to-item co-viewing similarity (item-kNN): cosine between item columns of the matrix,
 *
 *   sim(i, j) = Σ_u x_ui·x_uj / (‖x_·i‖·‖x_·j‖ + shrink)
 *
 * keeping the `neighbours` most similar items of each item. A profile's score for j is
 * Σ_{i ∈ history} x_ui·sim(i, j). Training costs Σ_u |row u|² + n² (sparse co-occurrence, then one
 * selection per item) and n·k memory, so it scales far past EASE's dense n² matrix: it is the
 * fallback above EASE's item limit, and the source of "Because you watched X".
 */
export interface ItemKnnOptions {
  /** Neighbours kept per item (default DEFAULT_KNN_NEIGHBOURS). */
  neighbours?: number;
  /** Added to the cosine's denominator: damps similarities built on very few co-viewers. */
  shrink?: number;
}

/**
 * Defaults chosen on a validation split carved from the training part (`recs:eval --tune`, see
 * docs/recommendations.md): shrinkage 100 was best of 0–100 (+0.019 NDCG@10 over none); the number
 * of neighbours moved NDCG@10 by under 0.001 between 50 and 400 there, and 200 keeps the longer lists
 * that a sparse real data set rewards (issue 19 measured the top-100 cut-off costing Recall@20).
 */
export const DEFAULT_KNN_NEIGHBOURS = 200;
export const DEFAULT_KNN_SHRINK = 100;

export interface Neighbour {
  item: number;
  similarity: number;
}

export interface ItemKnnModel extends ItemScorer {
  readonly neighbourCount: number;
  /** Row-major n×k: item i's neighbours (−1 past the last) and their similarities, best first. */
  readonly neighbourItems: Int32Array;
  readonly neighbourSims: Float32Array;
  /** The most similar items to `item`, best first. */
  neighboursOf(item: number, k?: number): Neighbour[];
}

/** Training steps; yields after every 64 items. The generator's return value is the model. */
export function* trainItemKnnSteps(
  matrix: InteractionMatrix,
  options: ItemKnnOptions = {},
): Generator<void, ItemKnnModel, void> {
  const n = matrix.items.length;
  const k = Math.max(1, Math.min(options.neighbours ?? DEFAULT_KNN_NEIGHBOURS, Math.max(1, n - 1)));
  const shrink = options.shrink ?? DEFAULT_KNN_SHRINK;
  const columns = itemColumns(matrix);
  const norms = new Float64Array(n);
  for (let p = 0; p < matrix.columns.length; p++) norms[matrix.columns[p]!]! += matrix.values[p]! ** 2;
  for (let i = 0; i < n; i++) norms[i] = Math.sqrt(norms[i]!);

  const neighbourItems = new Int32Array(n * k).fill(-1);
  const neighbourSims = new Float32Array(n * k);
  const sims = new Float64Array(n);
  const touched: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let p = columns.columnStart[i]!; p < columns.columnStart[i + 1]!; p++) {
      const u = columns.rows[p]!;
      const wi = columns.values[p]!;
      for (let q = matrix.rowStart[u]!; q < matrix.rowStart[u + 1]!; q++) {
        const j = matrix.columns[q]!;
        if (j === i) continue;
        if (sims[j] === 0) touched.push(j);
        sims[j]! += wi * matrix.values[q]!;
      }
    }
    for (const j of touched) sims[j] = sims[j]! / (norms[i]! * norms[j]! + shrink);
    const best = topK(sims, k, (j) => sims[j]! > 0);
    best.forEach((j, rank) => {
      neighbourItems[i * k + rank] = j;
      neighbourSims[i * k + rank] = sims[j]!;
    });
    for (const j of touched) sims[j] = 0;
    touched.length = 0;
    if (i % 64 === 63) yield;
  }
  return itemKnnModel(n, k, neighbourItems, neighbourSims);
}

export function trainItemKnn(matrix: InteractionMatrix, options: ItemKnnOptions = {}): ItemKnnModel {
  return runToEnd(trainItemKnnSteps(matrix, options));
}

/** The model over neighbour arrays (trained here, or received from a training worker). */
export function itemKnnModel(
  n: number,
  k: number,
  neighbourItems: Int32Array,
  neighbourSims: Float32Array,
): ItemKnnModel {
  return {
    name: 'itemknn',
    itemCount: n,
    neighbourCount: k,
    neighbourItems,
    neighbourSims,
    score(history: SparseRow): Float32Array {
      const out = new Float32Array(n);
      for (let h = 0; h < history.indices.length; h++) {
        const base = history.indices[h]! * k;
        const weight = history.values[h]!;
        for (let r = 0; r < k; r++) {
          const j = neighbourItems[base + r]!;
          if (j < 0) break;
          out[j]! += weight * neighbourSims[base + r]!;
        }
      }
      return out;
    },
    neighboursOf(item: number, limit = k): Neighbour[] {
      const result: Neighbour[] = [];
      for (let r = 0; r < Math.min(limit, k); r++) {
        const j = neighbourItems[item * k + r]!;
        if (j < 0) break;
        result.push({ item: j, similarity: neighbourSims[item * k + r]! });
      }
      return result;
    },
  };
}
