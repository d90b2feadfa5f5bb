import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMovieLine, parseRatings, readRatingsFile, RatingsFormatError } from './movielens.js';

describe('MovieLens ratings', () => {
  it('reads ratings.csv with its header', () => {
    const { ratings, malformed } = parseRatings([
      'userId,movieId,rating,timestamp',
      '1,31,2.5,1260759144',
      '1,1029,4.0,1260759179',
    ]);
    expect(malformed).toBe(0);
    expect(ratings).toEqual([
      { user: '1', item: '31', rating: 2.5, timestamp: 1260759144 },
      { user: '1', item: '1029', rating: 4, timestamp: 1260759179 },
    ]);
  });

  it('reads u.data (tabs) and ratings.dat (::)', () => {
    expect(parseRatings(['196\t242\t3\t881250949']).ratings).toEqual([
      { user: '196', item: '242', rating: 3, timestamp: 881250949 },
    ]);
    expect(parseRatings(['1::1193::5::978300760']).ratings[0]?.item).toBe('1193');
  });

  it('counts malformed lines instead of hiding them', () => {
    const { ratings, malformed } = parseRatings(['1,2,x,3', 'garbage', '', '1,2,4,3']);
    expect(ratings).toHaveLength(1);
    expect(malformed).toBe(2);
  });

  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('streams a file and refuses one with no ratings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'recs-ml-'));
    dirs.push(dir);
    await writeFile(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\r\n1,2,5.0,10\r\n');
    expect((await readRatingsFile(join(dir, 'ratings.csv'))).ratings).toHaveLength(1);
    await writeFile(join(dir, 'empty.csv'), 'userId,movieId,rating,timestamp\n');
    await expect(readRatingsFile(join(dir, 'empty.csv'))).rejects.toThrow(RatingsFormatError);
  });

  it('reads movies.csv lines: genres, and the year at the end of a possibly quoted title', () => {
    expect(parseMovieLine('1,Toy Story (1995),Adventure|Animation|Children')).toEqual({
      item: '1',
      genres: ['Adventure', 'Animation', 'Children'],
      year: 1995,
    });
    expect(parseMovieLine('11,"American President, The (1995)",Comedy|Drama|Romance')?.year).toBe(1995);
    expect(parseMovieLine('5,Untitled,(no genres listed)')).toEqual({ item: '5', genres: [], year: 2000 });
    expect(parseMovieLine('movieId,title,genres')).toBeUndefined();
  });
});
