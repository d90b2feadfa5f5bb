import { describe, expect, it } from 'vitest';
import { buildInteractionMatrix } from './interaction-matrix.js';
import { popularityScorer, popularityScores } from './popularity.js';
import { DAY_MS, trendingScores } from './trending.js';

describe('popularityScores', () => {
  it('sums the weight each item received across profiles', () => {
    const m = buildInteractionMatrix([
      { user: 'a', item: 'x', weight: 1 },
      { user: 'b', item: 'x', weight: 0.5 },
      { user: 'b', item: 'y', weight: 2 },
    ]);
    expect([...popularityScores(m)]).toEqual([1.5, 2]);
    const scorer = popularityScorer(m);
    expect([...scorer.score({ indices: new Int32Array(), values: new Float32Array() })]).toEqual([1.5, 2]);
  });
});

describe('trendingScores', () => {
  const now = Date.UTC(2026, 10, 21);

  it('halves a play start’s weight every half-life', () => {
    const scores = trendingScores(3, [
      { item: 0, atMs: now },
      { item: 1, atMs: now - DAY_MS },
      { item: 2, atMs: now - 2 * DAY_MS },
    ]);
    expect([...scores]).toEqual([1, 0.5, 0.25]);
  });

  it('ranks a burst of recent starts above a larger but older audience', () => {
    const starts = [
      ...Array.from({ length: 10 }, () => ({ item: 0, atMs: now - 5 * DAY_MS })),
      ...Array.from({ length: 3 }, () => ({ item: 1, atMs: now - DAY_MS / 4 })),
    ];
    const scores = trendingScores(2, starts);
    expect(scores[1]).toBeGreaterThan(scores[0]!);
  });

  it('depends on the events only: the reference is the newest start, and order does not matter', () => {
    const starts = [
      { item: 0, atMs: now - 3_600_000 },
      { item: 1, atMs: now },
      { item: 0, atMs: now - 7_200_000 },
    ];
    const a = trendingScores(2, starts);
    const b = trendingScores(2, [...starts].reverse());
    expect(b).toEqual(a);
    // A later reference scales every score by the same factor and keeps the order.
    const later = trendingScores(2, starts, { referenceMs: now + DAY_MS });
    expect(later[0]! / later[1]!).toBeCloseTo(a[0]! / a[1]!, 5);
  });

  it('uses a configurable half-life and ignores starts of unknown items', () => {
    const scores = trendingScores(
      1,
      [
        { item: 0, atMs: now - 3_600_000 },
        { item: 5, atMs: now },
      ],
      { halfLifeMs: 3_600_000, referenceMs: now },
    );
    expect([...scores]).toEqual([0.5]);
  });
});
