import type { Interaction } from '../app/models/interaction-matrix.js';
import { POSITIVE_RATING, type Rating } from './ratings.js';
import { seededRandom, shuffled } from './seeded-random.js';

/**
 * The offline protocol: ratings ≥ 4 become positives (weight 1), everything else is dropped; each
 * profile with at least two positives has a fraction of them (at least one) held out for testing,
 * chosen by a seeded shuffle so every run splits the same way. Profiles with a single positive only
 * train. Users and items are visited in sorted order, so the split depends on the data and the seed
 * alone, not on the file's line order.
 */
export interface HeldOutSplit {
  train: Interaction[];
  /** Train positives with their time (seconds), for trending. */
  trainTimes: { item: string; timestamp: number }[];
  /** Held-out positives per user. */
  test: Map<string, string[]>;
}

export interface SplitOptions {
  seed?: number;
  /** Fraction of each user's positives held out (default 0.2). */
  holdout?: number;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function binarisedHoldout(ratings: readonly Rating[], options: SplitOptions = {}): HeldOutSplit {
  const random = seededRandom(options.seed ?? 42);
  const fraction = options.holdout ?? 0.2;
  const positives = new Map<string, Map<string, number>>();
  for (const r of ratings) {
    if (r.rating < POSITIVE_RATING) continue;
    let items = positives.get(r.user);
    if (!items) positives.set(r.user, (items = new Map()));
    items.set(r.item, Math.max(items.get(r.item) ?? 0, r.timestamp));
  }
  const split: HeldOutSplit = { train: [], trainTimes: [], test: new Map() };
  for (const user of [...positives.keys()].sort(byString)) {
    const items = positives.get(user)!;
    const order = shuffled([...items.keys()].sort(byString), random);
    const heldOut = order.length >= 2 ? Math.max(1, Math.round(order.length * fraction)) : 0;
    if (heldOut > 0) split.test.set(user, order.slice(0, heldOut).sort(byString));
    for (const item of order.slice(heldOut).sort(byString)) {
      split.train.push({ user, item, weight: 1 });
      split.trainTimes.push({ item, timestamp: items.get(item)! });
    }
  }
  return split;
}
