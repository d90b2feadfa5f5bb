/**
 * The compact profiles × titles matrix every model trains on: compressed sparse rows over typed arrays,
 * users and items in sorted id order so the same interactions always give the same matrix, whatever
 * order they arrived in.
 *
 * @example
 *   const m = buildInteractionMatrix([{ user: 'p1', item: 't9', weight: 1 }]);
 *   m.items; // ['t9']
 */
export interface Interaction {
  user: string;
  item: string;
  /** Strength of the signal (> 0); non-positive weights are dropped. */
  weight: number;
}

export interface InteractionMatrix {
  readonly users: readonly string[];
  readonly items: readonly string[];
  readonly itemIndex: ReadonlyMap<string, number>;
  /** rowStart[u]…rowStart[u+1] index `columns`/`values` for user u; columns ascending within a row. */
  readonly rowStart: Int32Array;
  readonly columns: Int32Array;
  readonly values: Float32Array;
}

/** A user's row as parallel arrays of item indices (ascending) and weights. */
export interface SparseRow {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Builds the matrix; duplicate (user, item) pairs add up. `items` fixes the item axis (e.g. the whole
 * catalog, so titles nobody watched still get an index); interactions on other items are ignored.
 */
export function buildInteractionMatrix(
  interactions: readonly Interaction[],
  options: { items?: readonly string[] } = {},
): InteractionMatrix {
  const positive = interactions.filter((i) => i.weight > 0 && Number.isFinite(i.weight));
  const items = sortedUnique(options.items ?? positive.map((i) => i.item));
  const itemIndex = new Map(items.map((id, index) => [id, index]));
  const kept = positive.filter((i) => itemIndex.has(i.item));
  const users = sortedUnique(kept.map((i) => i.user));
  const userIndex = new Map(users.map((id, index) => [id, index]));

  const perUser: Map<number, number>[] = users.map(() => new Map());
  for (const { user, item, weight } of kept) {
    const row = perUser[userIndex.get(user)!]!;
    const column = itemIndex.get(item)!;
    row.set(column, (row.get(column) ?? 0) + weight);
  }
  const rowStart = new Int32Array(users.length + 1);
  perUser.forEach((row, u) => (rowStart[u + 1] = rowStart[u]! + row.size));
  const columns = new Int32Array(rowStart[users.length]!);
  const values = new Float32Array(columns.length);
  perUser.forEach((row, u) => {
    let at = rowStart[u]!;
    for (const [column, weight] of [...row].sort((a, b) => a[0] - b[0])) {
      columns[at] = column;
      values[at++] = weight;
    }
  });
  return { users, items, itemIndex, rowStart, columns, values };
}

export function rowOf(matrix: InteractionMatrix, user: number): SparseRow {
  const start = matrix.rowStart[user]!;
  const end = matrix.rowStart[user + 1]!;
  return { indices: matrix.columns.subarray(start, end), values: matrix.values.subarray(start, end) };
}

/** A history given by item ids, as a row over the matrix's items (unknown items are left out). */
export function rowFromHistory(
  itemIndex: ReadonlyMap<string, number>,
  history: Iterable<{ item: string; weight: number }>,
): SparseRow {
  const byColumn = new Map<number, number>();
  for (const { item, weight } of history) {
    const column = itemIndex.get(item);
    if (column !== undefined && weight > 0) byColumn.set(column, (byColumn.get(column) ?? 0) + weight);
  }
  const sorted = [...byColumn].sort((a, b) => a[0] - b[0]);
  return {
    indices: Int32Array.from(sorted, ([c]) => c),
    values: Float32Array.from(sorted, ([, w]) => w),
  };
}

/** Column-major view (items × users) for per-item passes. */
export interface ItemColumns {
  readonly columnStart: Int32Array;
  readonly rows: Int32Array;
  readonly values: Float32Array;
}

export function itemColumns(matrix: InteractionMatrix): ItemColumns {
  const n = matrix.items.length;
  const columnStart = new Int32Array(n + 1);
  for (const c of matrix.columns) columnStart[c + 1]!++;
  for (let c = 0; c < n; c++) columnStart[c + 1]! += columnStart[c]!;
  const next = columnStart.slice(0, n);
  const rows = new Int32Array(matrix.columns.length);
  const values = new Float32Array(matrix.columns.length);
  for (let u = 0; u < matrix.users.length; u++) {
    for (let p = matrix.rowStart[u]!; p < matrix.rowStart[u + 1]!; p++) {
      const at = next[matrix.columns[p]!]!++;
      rows[at] = u;
      values[at] = matrix.values[p]!;
    }
  }
  return { columnStart, rows, values };
}
