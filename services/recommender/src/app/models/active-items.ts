import type { InteractionMatrix, SparseRow } from './interaction-matrix.js';
import type { ItemKnnModel } from './item-knn.js';
import type { ItemScorer } from './scorer.js';

/**
 * EASE trains on the items that were watched, not on the catalog: a title nobody watched has an
 * all-zero column in X, so its row and column of B are exactly zero and it only costs n³ time and
 * n² memory. Above `limit` active items EASE keeps the most watched (where co-viewing says the most)
 * and item-kNN, which is sparse and scales to any catalog, ranks the rest ("the tail"). Titles with no
 * interaction at all are left to content similarity and popularity in the Top-picks blend.
 *
 * @example
 *   const head = mostActiveItems(matrix, 10_000); // ascending catalog indices
 */
export function mostActiveItems(matrix: InteractionMatrix, limit: number): Int32Array {
  const counts = new Int32Array(matrix.items.length);
  for (const column of matrix.columns) counts[column]!++;
  const active: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) active.push(i);
  if (active.length > limit) {
    // Most interactions first, ties to the lower index: deterministic.
    active.sort((a, b) => counts[b]! - counts[a]! || a - b);
    active.length = Math.max(0, limit);
  }
  return Int32Array.from(active.sort((a, b) => a - b));
}

/** The matrix restricted to `items` (ascending column indices of `matrix`), renumbered 0…m−1. */
export function restrictToItems(matrix: InteractionMatrix, items: Int32Array): InteractionMatrix {
  const position = new Int32Array(matrix.items.length).fill(-1);
  items.forEach((item, at) => (position[item] = at));
  const rowStart = new Int32Array(matrix.users.length + 1);
  let kept = 0;
  for (let p = 0; p < matrix.columns.length; p++) if (position[matrix.columns[p]!]! >= 0) kept++;
  const columns = new Int32Array(kept);
  const values = new Float32Array(kept);
  let at = 0;
  for (let u = 0; u < matrix.users.length; u++) {
    for (let p = matrix.rowStart[u]!; p < matrix.rowStart[u + 1]!; p++) {
      const column = position[matrix.columns[p]!]!;
      if (column < 0) continue;
      columns[at] = column;
      values[at++] = matrix.values[p]!;
    }
    rowStart[u + 1] = at;
  }
  const ids = Array.from(items, (i) => matrix.items[i]!);
  return {
    users: matrix.users,
    items: ids,
    itemIndex: new Map(ids.map((id, i) => [id, i])),
    rowStart,
    columns,
    values,
  };
}

/**
 * A scorer over the whole catalog from a model over some of its items (`headItems`, ascending): the
 * history is restricted to those items, scored, and the scores put back in catalog positions. With a
 * `tail` model, items outside the head get its scores, scaled so that its best head score equals the
 * head model's best (the two agree on what "a strong signal" is for this profile); other items get 0.
 */
export function headTailScorer(
  n: number,
  head: ItemScorer,
  headItems: Int32Array,
  tail?: ItemKnnModel,
): ItemScorer {
  const position = new Int32Array(n).fill(-1);
  headItems.forEach((item, at) => (position[item] = at));
  const whole = headItems.length === n;
  return {
    name: tail ? `${head.name}+${tail.name}` : head.name,
    itemCount: n,
    score(history: SparseRow): Float32Array {
      if (whole) return head.score(history);
      const indices: number[] = [];
      const values: number[] = [];
      for (let h = 0; h < history.indices.length; h++) {
        const at = position[history.indices[h]!]!;
        if (at < 0) continue;
        indices.push(at);
        values.push(history.values[h]!);
      }
      const headScores = head.score({ indices: Int32Array.from(indices), values: Float32Array.from(values) });
      const out = new Float32Array(n);
      let headMax = 0;
      headItems.forEach((item, at) => {
        out[item] = headScores[at]!;
        headMax = Math.max(headMax, headScores[at]!);
      });
      if (!tail) return out;
      const tailScores = tail.score(history);
      let tailHeadMax = 0;
      for (const item of headItems) tailHeadMax = Math.max(tailHeadMax, tailScores[item]!);
      const scale = tailHeadMax > 0 && headMax > 0 ? headMax / tailHeadMax : 1;
      for (let j = 0; j < n; j++) if (position[j]! < 0) out[j] = scale * tailScores[j]!;
      return out;
    },
  };
}
