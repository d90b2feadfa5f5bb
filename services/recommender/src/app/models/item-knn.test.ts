import { describe, expect, it } from 'vitest';
import { buildInteractionMatrix, rowFromHistory } from './interaction-matrix.js';
import { trainItemKnn } from './item-knn.js';

const watch = (user: string, ...items: string[]) => items.map((item) => ({ user, item, weight: 1 }));

describe('item-kNN', () => {
  const matrix = buildInteractionMatrix([
    ...watch('u1', 'a', 'b'),
    ...watch('u2', 'a', 'b', 'c'),
    ...watch('u3', 'c', 'd'),
    ...watch('u4', 'd'),
  ]);

  it('computes cosine similarity between item columns', () => {
    const model = trainItemKnn(matrix, { shrink: 0 });
    const [a, b, c, d] = [0, 1, 2, 3];
    const ofA = model.neighboursOf(a);
    // a = {u1,u2}, b = {u1,u2}: cos 1; c = {u2,u3}: 1/2; d: no co-viewer.
    expect(ofA).toEqual([
      { item: b, similarity: 1 },
      { item: c, similarity: 0.5 },
    ]);
    // c = {u2,u3}, d = {u3,u4}: 1/2 each way.
    expect(model.neighboursOf(d)[0]).toEqual({ item: c, similarity: 0.5 });
  });

  it('keeps only the requested number of neighbours and damps rare pairs with shrink', () => {
    const model = trainItemKnn(matrix, { neighbours: 1, shrink: 1 });
    expect(model.neighbourCount).toBe(1);
    const [only, ...rest] = model.neighboursOf(0);
    expect(only?.item).toBe(1);
    expect(only?.similarity).toBeCloseTo(2 / 3, 6); // 2 co-viewers / (√2·√2 + 1)
    expect(rest).toEqual([]);
  });

  it('scores a history as the weighted sum of its items’ neighbours', () => {
    const model = trainItemKnn(matrix, { shrink: 0 });
    const scores = model.score(rowFromHistory(matrix.itemIndex, [{ item: 'a', weight: 2 }]));
    expect([...scores]).toEqual([0, 2, 1, 0]);
  });

  it('is deterministic: the same interactions in another order train the same model', () => {
    const shuffled = buildInteractionMatrix([
      ...watch('u4', 'd'),
      ...watch('u3', 'd', 'c'),
      ...watch('u2', 'c', 'a', 'b'),
      ...watch('u1', 'b', 'a'),
    ]);
    const one = trainItemKnn(matrix);
    const two = trainItemKnn(shuffled);
    for (let i = 0; i < 4; i++) expect(two.neighboursOf(i)).toEqual(one.neighboursOf(i));
  });
});
