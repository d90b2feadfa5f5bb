import { parseArgs } from 'node:util';
import { DEFAULT_EASE_LAMBDA } from '../app/models/ease.js';
import { DEFAULT_EVAL_EASE_MAX_ITEMS, evaluate } from './evaluate.js';
import { readRatingsFile } from './movielens.js';
import { evaluationJson, formatEvaluation } from './report.js';

/**
 * `npm run recs:eval -- --ratings <file> [--json]`: offline evaluation of every model on a MovieLens
 * ratings file (ratings.csv of ml-latest-small, u.data of ml-100k, ratings.dat of ml-1m).
 */
const usage = `usage: npm run recs:eval -- --ratings <ratings.csv|u.data> [--json]
  [--seed 42] [--holdout 0.2] [--lambda ${DEFAULT_EASE_LAMBDA}] [--neighbours 100]
  [--ease-max-items ${DEFAULT_EVAL_EASE_MAX_ITEMS}] [--half-life-days 30] [--models popularity,trending,itemknn,ease]`;

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
        seed: { type: 'string' },
        holdout: { type: 'string' },
        lambda: { type: 'string' },
        neighbours: { type: 'string' },
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
    const evaluation = evaluate(ratings, {
      seed: numberOption(values, 'seed'),
      holdout: numberOption(values, 'holdout'),
      easeLambda: numberOption(values, 'lambda'),
      neighbours: numberOption(values, 'neighbours'),
      easeMaxItems: numberOption(values, 'ease-max-items'),
      trendingHalfLifeDays: numberOption(values, 'half-life-days'),
      models: values.models?.split(',').map((m) => m.trim()),
    });
    console.log(values.json ? evaluationJson(evaluation) : formatEvaluation(evaluation, values.ratings));
    return 0;
  } catch (err) {
    console.error(`recs:eval: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
