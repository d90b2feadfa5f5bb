import { describe, expect, it } from 'vitest';
import { minimumScore, normalizeText, queryTerms, searchTermsOf, trigramsOf } from './search-terms.js';

/** The score the SQL query computes, done in memory. */
function score(query: string, title: { name: string; synopsis?: string; genres?: string[] }): number {
  const postings = new Map(
    searchTermsOf({ synopsis: '', genres: [], ...title }).map((p) => [p.term, p.weight] as const),
  );
  const terms = queryTerms(query);
  const sum = terms.reduce((acc, t) => acc + (postings.get(t) ?? 0), 0);
  return sum >= minimumScore(terms.length) ? sum / terms.length : 0;
}

describe('search terms', () => {
  it('normalises case, accents and punctuation', () => {
    expect(normalizeText('  Amélie: Le Fabuleux — Destin!  ')).toBe('amelie le fabuleux destin');
    expect(trigramsOf('Up')).toEqual(['  u', ' up', 'up ']);
  });

  it('matches misspellings and prefixes of a name', () => {
    const title = { name: 'Stranger Things' };
    expect(score('Stranger Things', title)).toBe(1);
    expect(score('strnger thngs', title)).toBeGreaterThan(0.6);
    expect(score('stranegr', title)).toBeGreaterThan(0.45);
    expect(score('stra', title)).toBeGreaterThan(0.7);
    expect(score('things', title)).toBeGreaterThan(0.8);
  });

  it('does not match unrelated names', () => {
    expect(score('The Crown', { name: 'Stranger Things' })).toBe(0);
    expect(score('zzz', { name: 'Stranger Things' })).toBe(0);
  });

  it('counts synopsis and genre words, weaker than the name', () => {
    const title = { name: 'Night Shift', synopsis: 'A detective hunts a ghost', genres: ['thriller'] };
    expect(score('detective', title)).toBeCloseTo(0.55);
    expect(score('thriller', title)).toBeCloseTo(0.8);
    expect(score('detectiv', title)).toBeGreaterThan(0.45); // nearly whole counts
    expect(score('dtectvie', title)).toBe(0); // a typo in a synopsis word is not enough
  });

  it('bounds the query', () => {
    expect(queryTerms('a'.repeat(1000)).length).toBeLessThanOrEqual(4);
    expect(queryTerms('abcdefghijklmnopqrstuvwxyz'.repeat(10)).length).toBeLessThanOrEqual(66);
  });
});
