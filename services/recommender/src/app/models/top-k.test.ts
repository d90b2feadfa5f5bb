import { describe, expect, it } from 'vitest';
import { topK } from './top-k.js';

describe('topK', () => {
  it('returns the best indices, best first', () => {
    expect(topK(Float32Array.of(0.1, 0.9, 0.5, 0.7), 3)).toEqual([1, 3, 2]);
  });

  it('breaks ties by the lower index, whatever the scan order', () => {
    expect(topK([1, 2, 2, 2, 1], 2)).toEqual([1, 2]);
    expect(topK([3, 3, 3, 3], 4)).toEqual([0, 1, 2, 3]);
  });

  it('skips excluded and NaN entries and returns fewer when fewer qualify', () => {
    expect(topK([5, NaN, 4, 3], 3, (i) => i !== 0)).toEqual([2, 3]);
    expect(topK([1, 2], 0)).toEqual([]);
  });

  it('agrees with a full sort on random input', () => {
    let state = 7;
    const scores = Array.from({ length: 500 }, () => ((state = (state * 48271) % 2147483647) % 50) / 10);
    const expected = scores
      .map((s, i) => [s, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, 25)
      .map(([, i]) => i);
    expect(topK(scores, 25)).toEqual(expected);
  });
});
