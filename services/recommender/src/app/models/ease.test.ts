import { describe, expect, it } from 'vitest';
import { buildInteractionMatrix, rowFromHistory } from './interaction-matrix.js';
import { easePeakBytes, trainEase } from './ease.js';
import { invertSpd } from './spd-inverse.js';
import type { InteractionMatrix } from './interaction-matrix.js';
import { syntheticRatings } from '../../eval/synthetic.js';

/** Textbook Gauss-Jordan inverse, as an independent reference. */
function gaussJordanInverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const pivot = m[c]![c]!;
    m[c] = m[c]!.map((x) => x / pivot);
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      m[r] = m[r]!.map((x, k) => x - f * m[c]![k]!);
    }
  }
  return m.map((row) => row.slice(n));
}

describe('EASE', () => {
  const interactions = [
    { user: 'u1', item: 'a', weight: 1 },
    { user: 'u1', item: 'b', weight: 1 },
    { user: 'u2', item: 'a', weight: 1 },
    { user: 'u2', item: 'b', weight: 0.5 },
    { user: 'u2', item: 'c', weight: 1 },
    { user: 'u3', item: 'c', weight: 1 },
    { user: 'u3', item: 'd', weight: 2 },
  ];
  const matrix = buildInteractionMatrix(interactions);

  it('matches B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹, computed independently', () => {
    const lambda = 0.5;
    const n = matrix.items.length;
    const x = matrix.users.map(() => new Array<number>(n).fill(0));
    for (const i of interactions)
      x[matrix.users.indexOf(i.user)]![matrix.itemIndex.get(i.item)!]! += i.weight;
    const gram = Array.from({ length: n }, (_, i) =>
      Array.from(
        { length: n },
        (_, j) => x.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? lambda : 0),
      ),
    );
    const p = gaussJordanInverse(gram);
    const model = trainEase(matrix, { lambda });
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const expected = i === j ? 0 : -p[i]![j]! / p[j]![j]!;
        expect(model.weights[i * n + j]).toBeCloseTo(expected, 5);
      }
  });

  it('never recommends an item for itself: the diagonal of B is zero', () => {
    const model = trainEase(matrix, { lambda: 1 });
    for (let i = 0; i < 4; i++) expect(model.weights[i * 4 + i]).toBe(0);
  });

  it('scores co-viewed items highest for a history', () => {
    const model = trainEase(matrix, { lambda: 0.5 });
    const scores = model.score(rowFromHistory(matrix.itemIndex, [{ item: 'd', weight: 1 }]));
    const [, , c] = [0, 1, 2];
    const best = [...scores].indexOf(Math.max(...scores));
    expect(best).toBe(c);
  });

  it('refuses λ ≤ 0 and states its memory need', () => {
    expect(() => trainEase(matrix, { lambda: 0 })).toThrow(RangeError);
    // 10,000 items pad to 10,112: 4·N² for the matrix, two N×128 panels and D⁻¹.
    expect(easePeakBytes(10_000)).toBe(4 * 10_112 ** 2 + 2 * 4 * 10_112 * 128 + 4 * 128 * 128);
  });
});

/** The float64 EASE this service trained before the sweep (Cholesky inverse), as the reference. */
function float64Ease(matrix: InteractionMatrix, lambda: number): Float64Array {
  const n = matrix.items.length;
  const g = new Float64Array(n * n);
  for (let u = 0; u < matrix.users.length; u++)
    for (let p = matrix.rowStart[u]!; p < matrix.rowStart[u + 1]!; p++)
      for (let q = matrix.rowStart[u]!; q < matrix.rowStart[u + 1]!; q++)
        g[matrix.columns[p]! * n + matrix.columns[q]!]! += matrix.values[p]! * matrix.values[q]!;
  for (let i = 0; i < n; i++) g[i * n + i]! += lambda;
  invertSpd(g, n);
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) b[i * n + j] = i === j ? 0 : -g[i * n + j]! / g[j * n + j]!;
  return b;
}

describe('EASE in float32 on planted taste clusters', () => {
  const ratings = syntheticRatings({ users: 1_400, items: 600, clusters: 12, seed: 5 });
  const matrix = buildInteractionMatrix(
    ratings.filter((r) => r.rating >= 4).map((r) => ({ user: r.user, item: r.item, weight: r.rating / 5 })),
  );
  const expected = float64Ease(matrix, 100);
  const scale = expected.reduce((max, v) => Math.max(max, Math.abs(v)), 0);

  it.each([1, 2])(
    'matches the float64 weights to 1e-4 of their scale on %i thread(s)',
    { timeout: 60_000 },
    (threads) => {
      const model = trainEase(matrix, { lambda: 100, threads });
      let error = 0;
      for (let i = 0; i < expected.length; i++)
        error = Math.max(error, Math.abs(model.weights[i]! - expected[i]!));
      expect(matrix.items.length).toBeGreaterThan(512); // so that two threads do start a helper
      expect(error / scale).toBeLessThan(1e-4);
    },
  );
});
