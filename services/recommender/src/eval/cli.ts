import { parseArgs } from 'node:util';
import { DEFAULT_EASE_LAMBDA } from '../app/models/ease.js';
import { DEFAULT_KNN_NEIGHBOURS, DEFAULT_KNN_SHRINK } from '../app/models/item-knn.js';
import { DEFAULT_TRAINING_CONFIG } from '../app/training.js';
import { DEFAULT_SEEDS, evaluate, MODEL_NAMES } from './evaluate.js';
import { readMoviesFile, readRatingsFile } from './movielens.js';
import { evaluationJson, formatEvaluation } from './report.js';

/**
 * `npm run recs:eval -- --ratings <file> [--json]`: offline evaluation of every model on a MovieLens
 * ratings file (ratings.csv of ml-latest-small, u.data of ml-100k, ratings.dat of ml-1m): every
 * figure is a mean over seeds with its standard error.
 */
const usage = `usage: npm run recs:eval -- --ratings <ratings.csv|u.data|ratings.dat> [--json]
  [--movies movies.csv] (genres and years, for the content part of the served blend)
  [--seeds ${DEFAULT_SEEDS.join(',')}] [--holdout 0.2] [--split random|time] [--tune]
  [--lambda ${DEFAULT_EASE_LAMBDA}] [--ease-max-items ${DEFAULT_TRAINING_CONFIG.easeMaxItems}] [--neighbours ${DEFAULT_KNN_NEIGHBOURS}] [--shrink ${DEFAULT_KNN_SHRINK}]
  [--blend 0.75,0.2,0.05] (cf, content, popularity) [--half-life-days 30] [--threads N]
  [--models ${MODEL_NAMES.join(',')}]`;

function numberOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got ${String(raw)}`);
  return value;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        ratings: { type: 'string' },
        json: { type: 'boolean', default: false },
        movies: { type: 'string' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        holdout: { type: 'string' },
        split: { type: 'string' },
        tune: { type: 'boolean', default: false },
        lambda: { type: 'string' },
        neighbours: { type: 'string' },
        shrink: { type: 'string' },
        blend: { type: 'string' },
        threads: { type: 'string' },
        'ease-max-items': { type: 'string' },
        'half-life-days': { type: 'string' },
        models: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.ratings) {
    console.error(`--ratings is required\n${usage}`);
    return 2;
  }
  try {
    const { ratings, malformed } = await readRatingsFile(values.ratings);
    if (malformed > 0)
      console.error(`warning: ${malformed} malformed line(s) in ${values.ratings} were skipped`);
    const split = values.split ?? 'random';
    if (split !== 'random' && split !== 'time')
      throw new Error(`--split must be random or time, got ${split}`);
    const seeds = values.seeds ?? values.seed;
    const blend = values.blend?.split(',').map(Number);
    if (blend && (blend.length !== 3 || blend.some((w) => !(w >= 0))))
      throw new Error(`--blend needs three weights ≥ 0 (cf,content,popularity), got ${values.blend}`);
    const evaluation = evaluate(ratings, {
      seeds: seeds?.split(',').map((s) => numberOption({ seed: s }, 'seed')!),
      holdout: numberOption(values, 'holdout'),
      order: split,
      tune: values.tune,
      easeLambda: numberOption(values, 'lambda'),
      neighbours: numberOption(values, 'neighbours'),
      shrink: numberOption(values, 'shrink'),
      easeMaxItems: numberOption(values, 'ease-max-items'),
      threads: numberOption(values, 'threads'),
      blend: blend && { cf: blend[0]!, content: blend[1]!, popularity: blend[2]! },
      trendingHalfLifeDays: numberOption(values, 'half-life-days'),
      models: values.models?.split(',').map((m) => m.trim()),
      titles: values.movies ? await readMoviesFile(values.movies) : undefined,
    });
    console.log(values.json ? evaluationJson(evaluation) : formatEvaluation(evaluation, values.ratings));
    return 0;
  } catch (err) {
    console.error(`recs:eval: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
