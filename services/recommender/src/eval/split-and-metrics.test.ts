import { describe, expect, it } from 'vitest';
import { catalogCoverage, ndcgAt, recallAt } from './metrics.js';
import { binarisedHoldout } from './split.js';
import type { Rating } from './ratings.js';

const rate = (user: string, item: string, rating: number): Rating => ({ user, item, rating, timestamp: 1 });

describe('binarisedHoldout', () => {
  const ratings = [
    ...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((i) => rate('u1', i, 5)),
    rate('u1', 'low', 3.5),
    rate('u2', 'a', 4),
    rate('u3', 'a', 4),
    rate('u3', 'b', 4.5),
  ];

  it('keeps ratings ≥ 4 only and holds out a fifth of each profile’s positives (at least one)', () => {
    const split = binarisedHoldout(ratings, { seed: 1 });
    expect(split.test.get('u1')).toHaveLength(2);
    expect(split.test.get('u3')).toHaveLength(1);
    expect(split.test.has('u2')).toBe(false); // a single positive only trains
    const trained = split.train.filter((t) => t.user === 'u1').map((t) => t.item);
    expect(trained).toHaveLength(8);
    expect(trained).not.toContain('low');
    for (const held of split.test.get('u1')!) expect(trained).not.toContain(held);
  });

  it('splits the same way for the same seed, whatever the line order, and differently for another seed', () => {
    const one = binarisedHoldout(ratings, { seed: 1 });
    expect(binarisedHoldout([...ratings].reverse(), { seed: 1 })).toEqual(one);
    const others = [2, 3, 4, 5].map((seed) => binarisedHoldout(ratings, { seed }).test.get('u1'));
    expect(others.some((held) => JSON.stringify(held) !== JSON.stringify(one.test.get('u1')))).toBe(true);
  });
});

describe('ranking metrics', () => {
  it('normalises recall by min(k, held-out)', () => {
    expect(recallAt(2, [1, 2, 3], new Set([1, 3, 9]))).toBe(0.5);
    expect(recallAt(20, [1, 2, 3], new Set([3]))).toBe(1);
    expect(recallAt(20, [1], new Set())).toBe(0);
  });

  it('discounts hits by rank (NDCG)', () => {
    expect(ndcgAt(10, [7, 8], new Set([7, 8]))).toBe(1);
    expect(ndcgAt(10, [8, 7], new Set([7]))).toBeCloseTo(1 / Math.log2(3), 12);
    expect(ndcgAt(1, [8, 7], new Set([7]))).toBe(0);
  });

  it('measures catalog coverage of the lists', () => {
    expect(
      catalogCoverage(
        [
          [0, 1],
          [1, 2],
        ],
        6,
      ),
    ).toBe(0.5);
    expect(catalogCoverage([], 0)).toBe(0);
  });
});
