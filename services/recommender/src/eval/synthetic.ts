import type { Rating } from './ratings.js';
import { seededRandom } from './seeded-random.js';

/**
 * A MovieLens-shaped data set with planted structure, for tests and benchmarks (the project ships no
 * third-party data set). Items are split into taste clusters; each user belongs to one cluster and
 * rates mostly its items, highly, plus some globally popular items outside it, mostly lower. Within a
 * cluster and overall, item popularity follows a Zipf-like curve, so "most popular" is a real but weak
 * baseline and anything that learns the clusters should beat it clearly.
 */
export interface SyntheticOptions {
  users?: number;
  items?: number;
  clusters?: number;
  /** Ratings per user, drawn uniformly in [min, max]. */
  ratingsPerUser?: readonly [number, number];
  /** Share of a user's ratings inside their cluster (default 0.8). */
  inCluster?: number;
  seed?: number;
}

export function syntheticRatings(options: SyntheticOptions = {}): Rating[] {
  const users = options.users ?? 600;
  const items = options.items ?? 400;
  const clusters = options.clusters ?? 8;
  const [minRatings, maxRatings] = options.ratingsPerUser ?? [15, 40];
  const inCluster = options.inCluster ?? 0.8;
  const random = seededRandom(options.seed ?? 7);
  const zipf = (n: number) => Math.min(n - 1, Math.floor(n * Math.pow(random(), 2.2)));
  const clusterOf = (item: number) => item % clusters;
  const members = Array.from({ length: clusters }, (_, c) =>
    Array.from({ length: Math.ceil((items - c) / clusters) }, (_, k) => c + k * clusters),
  );
  const start = Date.UTC(2025, 0, 1) / 1000;
  const ratings: Rating[] = [];
  for (let u = 0; u < users; u++) {
    const cluster = Math.floor(random() * clusters);
    const wanted = minRatings + Math.floor(random() * (maxRatings - minRatings + 1));
    const rated = new Set<number>();
    for (let attempt = 0; rated.size < wanted && attempt < wanted * 20; attempt++) {
      const pool = members[cluster]!;
      const item = random() < inCluster ? pool[zipf(pool.length)]! : zipf(items);
      if (rated.has(item)) continue;
      rated.add(item);
      const liked = clusterOf(item) === cluster ? random() < 0.9 : random() < 0.3;
      ratings.push({
        user: String(u + 1),
        item: String(item + 1),
        rating: liked ? 4 + Math.round(random()) : 1 + Math.floor(random() * 3),
        timestamp: start + Math.floor(random() * 90 * 86_400),
      });
    }
  }
  return ratings;
}

/** ml-latest's ratings.csv format, with its header. */
export function toRatingsCsv(ratings: readonly Rating[]): string {
  return (
    [
      'userId,movieId,rating,timestamp',
      ...ratings.map((r) => `${r.user},${r.item},${r.rating}.0,${r.timestamp}`),
    ].join('\n') + '\n'
  );
}

/** ml-100k's u.data format: tab separated, no header. */
export function toUData(ratings: readonly Rating[]): string {
  return ratings.map((r) => `${r.user}\t${r.item}\t${r.rating}\t${r.timestamp}`).join('\n') + '\n';
}
