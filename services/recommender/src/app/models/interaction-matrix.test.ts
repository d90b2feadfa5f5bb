import { describe, expect, it } from 'vitest';
import { buildInteractionMatrix, itemColumns, rowFromHistory, rowOf } from './interaction-matrix.js';

const sample = [
  { user: 'b', item: 't2', weight: 1 },
  { user: 'a', item: 't3', weight: 0.5 },
  { user: 'a', item: 't1', weight: 1 },
  { user: 'a', item: 't1', weight: 0.25 },
  { user: 'c', item: 't2', weight: 0 },
];

describe('buildInteractionMatrix', () => {
  it('sorts ids, sums duplicates and drops non-positive weights', () => {
    const m = buildInteractionMatrix(sample);
    expect(m.users).toEqual(['a', 'b']);
    expect(m.items).toEqual(['t1', 't2', 't3']);
    expect([...rowOf(m, 0).indices]).toEqual([0, 2]);
    expect([...rowOf(m, 0).values]).toEqual([1.25, 0.5]);
    expect([...rowOf(m, 1).indices]).toEqual([1]);
  });

  it('is the same matrix whatever order the interactions come in', () => {
    const a = buildInteractionMatrix(sample);
    const b = buildInteractionMatrix([...sample].reverse());
    expect(b).toEqual(a);
  });

  it('takes a fixed item axis and ignores interactions outside it', () => {
    const m = buildInteractionMatrix(sample, { items: ['t2', 't0', 't1'] });
    expect(m.items).toEqual(['t0', 't1', 't2']);
    expect(m.users).toEqual(['a', 'b']);
    expect([...rowOf(m, 0).indices]).toEqual([1]);
  });

  it('gives the column view of the same cells', () => {
    const m = buildInteractionMatrix(sample);
    const c = itemColumns(m);
    expect([...c.columnStart]).toEqual([0, 1, 2, 3]);
    expect([...c.rows]).toEqual([0, 1, 0]);
    expect([...c.values]).toEqual([1.25, 1, 0.5]);
  });

  it('maps a history by id onto the item axis', () => {
    const m = buildInteractionMatrix(sample);
    const row = rowFromHistory(m.itemIndex, [
      { item: 't3', weight: 1 },
      { item: 'unknown', weight: 1 },
      { item: 't1', weight: 2 },
    ]);
    expect([...row.indices]).toEqual([0, 2]);
    expect([...row.values]).toEqual([2, 1]);
  });
});
