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

/**
 * One line of MovieLens movies.csv (`movieId,title,genres`, the title quoted when it has a comma and
 * ending in its year, genres separated by `|`), or undefined for the header or a line it cannot read.
 */
export function parseMovieLine(line: string): { item: string; genres: string[]; year: number } | undefined {
  const match = /^(\d+),("(?:[^"]|"")*"|[^,]*),(.*)$/.exec(line.trim());
  if (!match) return undefined;
  const [, item, title, genres] = match as unknown as [string, string, string, string];
  const year = /\((\d{4})\)\s*"?$/.exec(title)?.[1];
  const list = genres === '(no genres listed)' ? [] : genres.split('|').filter((g) => g.length > 0);
  return { item, genres: list, year: year ? Number(year) : 2000 };
}

/** movies.csv as genres and year per item id (what the served blend's content similarity uses). */
export async function readMoviesFile(path: string): Promise<Map<string, { genres: string[]; year: number }>> {
  const reader = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const titles = new Map<string, { genres: string[]; year: number }>();
  for await (const line of reader) {
    const movie = parseMovieLine(line);
    if (movie) titles.set(movie.item, { genres: movie.genres, year: movie.year });
  }
  if (titles.size === 0)
    throw new RatingsFormatError(`${path}: no movies found (expected movieId,title,genres)`);
  return titles;
}
