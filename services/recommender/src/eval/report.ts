import type { Evaluation } from './evaluate.js';

const withError = (mean: number, stdErr: number | null) =>
  `${mean.toFixed(4)}${stdErr === null ? '' : ` ±${stdErr.toFixed(4)}`}`;

/** The human table `recs:eval` prints: means over the seeds, ± their standard error. */
export function formatEvaluation(evaluation: Evaluation, source: string): string {
  const s = evaluation.settings;
  const lines = [
    `${source}: ${Math.round(evaluation.users)} profiles × ${Math.round(evaluation.items)} titles, ${Math.round(evaluation.trainInteractions)} training positives; ` +
      `${Math.round(evaluation.testUsers)} test profiles, ${Math.round(evaluation.testInteractions)} held-out positives ` +
      `(${Math.round(evaluation.droppedHeldOut)} more dropped: titles no training profile has)`,
    `${evaluation.split} split, seeds ${evaluation.seeds.join(', ')}; λ ${s.easeLambda}, EASE on ≤ ${s.easeMaxItems} active titles, ` +
      `kNN k ${s.neighbours} shrink ${s.shrink}, blend ${s.blend.cf}/${s.blend.content}/${s.blend.popularity}` +
      (evaluation.tuned ? ' (tuned on a validation split)' : ''),
    '',
    `${'model'.padEnd(12)}${'Recall@20'.padStart(18)}${'NDCG@10'.padStart(18)}${'coverage'.padStart(18)}${'train s'.padStart(10)}`,
  ];
  for (const [name, r] of Object.entries(evaluation.models)) {
    lines.push(
      `${name.padEnd(12)}${withError(r.recall20, r.recall20StdErr).padStart(18)}${withError(r.ndcg10, r.ndcg10StdErr).padStart(18)}` +
        `${withError(r.coverage, r.coverageStdErr).padStart(18)}${r.trainSeconds.toFixed(2).padStart(10)}`,
    );
  }
  for (const [name, reason] of Object.entries(evaluation.skipped))
    lines.push(`${name.padEnd(12)}skipped: ${reason}`);
  return lines.join('\n');
}

/**
 * The `--json` shape: {"models":{"<name>":{recall20, recall20StdErr, ndcg10, ndcg10StdErr, coverage,
 * coverageStdErr, trainSeconds}}, "skipped", "settings", "tuned"?, "dataset"}.
 */
export function evaluationJson(evaluation: Evaluation): string {
  return JSON.stringify({
    models: evaluation.models,
    skipped: evaluation.skipped,
    settings: evaluation.settings,
    ...(evaluation.tuned ? { tuned: evaluation.tuned } : {}),
    dataset: {
      seeds: evaluation.seeds,
      split: evaluation.split,
      users: evaluation.users,
      items: evaluation.items,
      trainInteractions: evaluation.trainInteractions,
      testUsers: evaluation.testUsers,
      testInteractions: evaluation.testInteractions,
      droppedHeldOut: evaluation.droppedHeldOut,
    },
  });
}
