import { maturityRank, type Maturity } from '@marquee/contracts';
import type { Neighbour } from './item-knn.js';
import { topK } from './top-k.js';

/**
 * Content-based similarity from catalog metadata alone, for what co-viewing cannot answer yet: a
 * title nobody has watched, and a profile with no history.
 *
 *   sim(a, b) = 0.7·Jaccard(genres a, genres b) + 0.15·(1 − |Δ maturity rank| / 4) + 0.15·e^(−|Δ year| / 10)
 *
 * Genres weigh most (they are what a viewer means by "more like this"); maturity and era separate a
 * family comedy from an adult one, and a 1950s film from a recent one. Genres are bitsets over the
 * sorted genre vocabulary, so one comparison is a few integer operations.
 */
export interface ContentFeatures {
  genres: readonly string[];
  maturity: Maturity;
  year: number;
}

export interface ContentIndex {
  readonly size: number;
  similarity(a: number, b: number): number;
  /** True when the two titles have at least one genre in common. */
  sharesGenre(a: number, b: number): boolean;
  /** Σ_h weight_h·sim(h, j) / Σ_h weight_h for every item j: how well j matches the whole history. */
  profileScores(history: readonly { item: number; weight: number }[]): Float32Array;
  neighboursOf(item: number, k: number, keep?: (item: number) => boolean): Neighbour[];
}

const GENRE_WEIGHT = 0.7;
const MATURITY_WEIGHT = 0.15;
const YEAR_WEIGHT = 0.15;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function buildContentIndex(titles: readonly ContentFeatures[]): ContentIndex {
  const vocabulary = [...new Set(titles.flatMap((t) => t.genres.map((g) => g.toLowerCase())))].sort();
  const genreBit = new Map(vocabulary.map((g, i) => [g, i]));
  const words = Math.max(1, Math.ceil(vocabulary.length / 32));
  const bits = new Uint32Array(titles.length * words);
  const counts = new Uint8Array(titles.length);
  const ranks = Int8Array.from(titles, (t) => maturityRank(t.maturity));
  const years = Int16Array.from(titles, (t) => t.year);
  titles.forEach((t, i) => {
    for (const g of new Set(t.genres.map((x) => x.toLowerCase()))) {
      const bit = genreBit.get(g)!;
      bits[i * words + (bit >>> 5)]! |= 1 << (bit & 31);
      counts[i] = Math.min(255, counts[i]! + 1);
    }
  });

  const similarity = (a: number, b: number): number => {
    let shared = 0;
    for (let w = 0; w < words; w++) shared += popcount(bits[a * words + w]! & bits[b * words + w]!);
    const union = counts[a]! + counts[b]! - shared;
    const jaccard = union === 0 ? 0 : shared / union;
    const maturity = 1 - Math.abs(ranks[a]! - ranks[b]!) / 4;
    const era = Math.exp(-Math.abs(years[a]! - years[b]!) / 10);
    return GENRE_WEIGHT * jaccard + MATURITY_WEIGHT * maturity + YEAR_WEIGHT * era;
  };

  return {
    size: titles.length,
    similarity,
    sharesGenre(a, b) {
      for (let w = 0; w < words; w++) if ((bits[a * words + w]! & bits[b * words + w]!) !== 0) return true;
      return false;
    },
    profileScores(history) {
      const out = new Float32Array(titles.length);
      const total = history.reduce((sum, h) => sum + Math.max(0, h.weight), 0);
      if (total === 0) return out;
      for (let j = 0; j < titles.length; j++) {
        let s = 0;
        for (const h of history) if (h.weight > 0) s += h.weight * similarity(h.item, j);
        out[j] = s / total;
      }
      return out;
    },
    neighboursOf(item, k, keep = () => true) {
      const scores = new Float32Array(titles.length);
      for (let j = 0; j < titles.length; j++) scores[j] = similarity(item, j);
      return topK(scores, k, (j) => j !== item && keep(j)).map((j) => ({ item: j, similarity: scores[j]! }));
    },
  };
}
