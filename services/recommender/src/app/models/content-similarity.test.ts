import { describe, expect, it } from 'vitest';
import { buildContentIndex } from './content-similarity.js';

const titles = [
  { genres: ['Comedy', 'Family'], maturity: 'PG', year: 2020 },
  { genres: ['comedy', 'family'], maturity: 'PG', year: 2020 },
  { genres: ['Comedy'], maturity: 'R', year: 1990 },
  { genres: ['Horror'], maturity: 'R', year: 2021 },
  { genres: [], maturity: 'G', year: 2020 },
] as const;

describe('content similarity', () => {
  const index = buildContentIndex(titles);

  it('is 1 for identical metadata (genres compared case-insensitively)', () => {
    expect(index.similarity(0, 1)).toBeCloseTo(1, 10);
  });

  it('weighs shared genres, then maturity distance, then era', () => {
    // Jaccard 1/2; maturity PG→R is 2 of 4 steps; 30 years apart.
    expect(index.similarity(0, 2)).toBeCloseTo(0.7 * 0.5 + 0.15 * 0.5 + 0.15 * Math.exp(-3), 10);
    expect(index.similarity(0, 3)).toBeLessThan(index.similarity(0, 2));
    expect(index.similarity(4, 4)).toBeCloseTo(0.3, 10); // no genres: nothing shared
  });

  it('tells whether two titles share a genre', () => {
    expect(index.sharesGenre(0, 2)).toBe(true);
    expect(index.sharesGenre(0, 3)).toBe(false);
    expect(index.sharesGenre(4, 4)).toBe(false);
  });

  it('finds the nearest titles to one title, best first, excluding itself', () => {
    expect(index.neighboursOf(0, 2).map((n) => n.item)).toEqual([1, 2]);
    expect(index.neighboursOf(0, 2, (j) => j !== 1).map((n) => n.item)).toEqual([2, 4]);
  });

  it('scores every title against a weighted history', () => {
    const scores = index.profileScores([{ item: 3, weight: 1 }]);
    expect(Math.max(...scores)).toBeCloseTo(scores[3]!, 10);
    expect(scores[0]).toBeGreaterThan(scores[4]!); // no genre shared by either: PG is nearer R than G is
    expect([...index.profileScores([])]).toEqual([0, 0, 0, 0, 0]);
  });
});
