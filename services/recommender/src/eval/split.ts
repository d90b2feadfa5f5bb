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
  /**
   * `random` (default): a seeded share of each profile's positives. `time`: the latest `holdout` share
   * of all positives (a global cut-off in time, as a service trained yesterday meets today's viewers),
   * held out for the profiles that also have a positive before the cut-off.
   */
  order?: 'random' | 'time';
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function positivesByUser(ratings: readonly Rating[]): Map<string, Map<string, number>> {
  const positives = new Map<string, Map<string, number>>();
  for (const r of ratings) {
    if (r.rating < POSITIVE_RATING) continue;
    let items = positives.get(r.user);
    if (!items) positives.set(r.user, (items = new Map()));
    items.set(r.item, Math.max(items.get(r.item) ?? 0, r.timestamp));
  }
  return positives;
}

/** Everything before the cut-off trains; what comes after is held out for profiles seen before it. */
function timeHoldout(positives: Map<string, Map<string, number>>, fraction: number): HeldOutSplit {
  const times = [...positives.values()].flatMap((items) => [...items.values()]).sort((a, b) => a - b);
  const cutoff = times[Math.min(times.length - 1, Math.floor(times.length * (1 - fraction)))] ?? 0;
  const split: HeldOutSplit = { train: [], trainTimes: [], test: new Map() };
  for (const user of [...positives.keys()].sort(byString)) {
    const items = positives.get(user)!;
    const ordered = [...items.keys()].sort(byString);
    const before = ordered.filter((item) => items.get(item)! < cutoff);
    const after = ordered.filter((item) => items.get(item)! >= cutoff);
    for (const item of before) {
      split.train.push({ user, item, weight: 1 });
      split.trainTimes.push({ item, timestamp: items.get(item)! });
    }
    if (before.length > 0 && after.length > 0) split.test.set(user, after);
  }
  return split;
}

/**
 * A validation split carved from a training part (for --tune): the same protocol applied to the
 * training positives only, so that choosing λ, k or shrinkage never looks at the test split.
 */
export function validationSplit(train: HeldOutSplit, options: SplitOptions): HeldOutSplit {
  const times = new Map<string, number>();
  train.train.forEach((t, i) => times.set(`${t.user}\u0000${t.item}`, train.trainTimes[i]!.timestamp));
  const ratings: Rating[] = train.train.map((t) => ({
    user: t.user,
    item: t.item,
    rating: POSITIVE_RATING,
    timestamp: times.get(`${t.user}\u0000${t.item}`)!,
  }));
  return binarisedHoldout(ratings, { ...options, seed: (options.seed ?? 42) + 7919 });
}

export function binarisedHoldout(ratings: readonly Rating[], options: SplitOptions = {}): HeldOutSplit {
  const fraction = options.holdout ?? 0.2;
  const positives = positivesByUser(ratings);
  if (options.order === 'time') return timeHoldout(positives, fraction);
  const random = seededRandom(options.seed ?? 42);
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
