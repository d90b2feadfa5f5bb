import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Rating } from './ratings.js';

/**
 * Reads MovieLens ratings in the formats the GroupLens data sets ship:
 * - `ratings.csv` (ml-latest, ml-latest-small, ml-25m): header `userId,movieId,rating,timestamp`;
 * - `u.data` (ml-100k): `user<TAB>item<TAB>rating<TAB>timestamp`, no header;
 * - `ratings.dat` (ml-1m, ml-10m): `user::item::rating::timestamp`.
 * The format is detected per line, so the file name does not matter. Malformed lines are counted and
 * reported, not silently dropped.
 */
export class RatingsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RatingsFormatError';
  }
}

export function parseRatingLine(line: string): Rating | undefined {
  const fields = line.includes('\t')
    ? line.split('\t')
    : line.includes('::')
      ? line.split('::')
      : line.split(',');
  if (fields.length < 4) return undefined;
  const [user, item, rating, timestamp] = fields.map((f) => f.trim());
  const value = Number(rating);
  const time = Number(timestamp);
  if (!user || !item || !Number.isFinite(value) || !Number.isFinite(time)) return undefined;
  return { user, item, rating: value, timestamp: time };
}

export function parseRatings(lines: Iterable<string>): { ratings: Rating[]; malformed: number } {
  const ratings: Rating[] = [];
  let malformed = 0;
  let first = true;
  for (const raw of lines) {
    const line = raw.trim();
    if (line.length === 0) continue;
    if (first) {
      first = false;
      if (/^userid\s*,/i.test(line)) continue; // the ratings.csv header
    }
    const rating = parseRatingLine(line);
    if (rating) ratings.push(rating);
    else malformed++;
  }
  return { ratings, malformed };
}

/** Streams a ratings file from disk (ml-25m's is 650 MB: never read it whole into one string). */
export async function readRatingsFile(path: string): Promise<{ ratings: Rating[]; malformed: number }> {
  const reader = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const ratings: Rating[] = [];
  let malformed = 0;
  let first = true;
  for await (const raw of reader) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const header = first && /^userid\s*,/i.test(line);
    first = false;
    if (header) continue;
    const rating = parseRatingLine(line);
    if (rating) ratings.push(rating);
    else malformed++;
  }
  if (ratings.length === 0)
    throw new RatingsFormatError(
      `${path}: no ratings found (expected ratings.csv with a userId,movieId,rating,timestamp header, or u.data)`,
    );
  return { ratings, malformed };
}
