import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRatings, toRatingsCsv, toUData } from './synthetic.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../../..');

/** `npm run recs:eval` is this command; running node directly skips npm's own start-up. */
function recsEval(...args: string[]) {
  return run(
    process.execPath,
    ['packages/cli/bin/run-ts.mjs', 'services/recommender/src/eval/cli.ts', ...args],
    {
      cwd: root,
      timeout: 120_000,
    },
  );
}

// Each run is a fresh Node process with the TypeScript loader: seconds each on a busy machine.
describe('recs:eval end to end', { timeout: 240_000 }, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recs-eval-'));
    const ratings = syntheticRatings({ users: 300, items: 200, clusters: 5, seed: 3 });
    await writeFile(join(dir, 'ratings.csv'), toRatingsCsv(ratings));
    await writeFile(join(dir, 'u.data'), toUData(ratings));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints the JSON shape for ratings.csv, and the same numbers for u.data', async () => {
    const csv = JSON.parse((await recsEval('--ratings', join(dir, 'ratings.csv'), '--json')).stdout);
    for (const name of ['popularity', 'itemknn', 'ease', 'served']) {
      expect(Object.keys(csv.models[name]).sort()).toEqual([
        'coverage',
        'coverageStdErr',
        'ndcg10',
        'ndcg10StdErr',
        'recall20',
        'recall20StdErr',
        'trainSeconds',
      ]);
    }
    expect(csv.dataset.seeds).toHaveLength(3);
    expect(csv.dataset.droppedHeldOut).toBeGreaterThanOrEqual(0);
    expect(csv.models.ease.recall20).toBeGreaterThan(csv.models.popularity.recall20);
    const udata = JSON.parse((await recsEval('--ratings', join(dir, 'u.data'), '--json')).stdout);
    expect(udata.models.ease.recall20).toBe(csv.models.ease.recall20);
    expect(udata.models.itemknn.ndcg10).toBe(csv.models.itemknn.ndcg10);
  });

  it('prints a table by default', async () => {
    const { stdout } = await recsEval('--ratings', join(dir, 'u.data'), '--models', 'popularity,ease');
    expect(stdout).toMatch(/Recall@20\s+NDCG@10\s+coverage\s+train s/);
    expect(stdout).toMatch(/^ease\s+0\.\d{4} ±0\.\d{4}/m);
    expect(stdout).toMatch(/dropped/);
    expect(stdout).not.toMatch(/^itemknn/m);
  });

  it('rejects a bad --split and a bad --blend with exit 1 and the reason', async () => {
    await expect(recsEval('--ratings', join(dir, 'u.data'), '--split', 'sideways')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--split must be random or time/),
    });
    await expect(recsEval('--ratings', join(dir, 'u.data'), '--blend', '1,2')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--blend needs three weights/),
    });
  });

  it('exits 2 with usage without --ratings, and 1 naming the problem for a missing file', async () => {
    await expect(recsEval()).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--ratings is required/),
    });
    await expect(recsEval('--ratings', join(dir, 'nope.csv'))).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/ENOENT/),
    });
  });
});
