import type { ItemScorer } from './scorer.js';

/** One profile starting one title at a time (epoch milliseconds). */
export interface PlayStart {
  item: number;
  atMs: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Trending ("Top 10 today"): every play start counts 0.5^(age / halfLife), so a start from one
 * half-life ago weighs half as much as one now. Age is measured from `referenceMs`, which callers set
 * to the newest event they know rather than the wall clock: multiplying every weight by the same factor
 * does not change the order, so the ranking is the same, and the scores depend on the events alone
 * (replaying the stream gives the same model). Starts after the reference count as age 0.
 */
export function trendingScores(
  itemCount: number,
  starts: readonly PlayStart[],
  options: { halfLifeMs?: number; referenceMs?: number } = {},
): Float32Array {
  const halfLife = options.halfLifeMs ?? DAY_MS;
  const reference = options.referenceMs ?? starts.reduce((max, s) => Math.max(max, s.atMs), 0);
  // Summed in float64 and in a fixed order (sorted copy) so equal inputs give bit-identical scores.
  const sums = new Float64Array(itemCount);
  const ordered = [...starts].sort((a, b) => a.item - b.item || a.atMs - b.atMs);
  for (const { item, atMs } of ordered) {
    if (item < 0 || item >= itemCount) continue;
    const age = Math.max(0, reference - atMs);
    sums[item]! += Math.pow(0.5, age / halfLife);
  }
  return Float32Array.from(sums);
}

export function trendingScorer(
  itemCount: number,
  starts: readonly PlayStart[],
  options: { halfLifeMs?: number; referenceMs?: number } = {},
): ItemScorer {
  const scores = trendingScores(itemCount, starts, options);
  return { name: 'trending', itemCount, score: () => scores.slice() };
}
