import type { Evaluation } from './evaluate.js';

/** The human table `recs:eval` prints. */
export function formatEvaluation(evaluation: Evaluation, source: string): string {
  const lines = [
    `${source}: ${evaluation.users} profiles × ${evaluation.items} titles, ${evaluation.trainInteractions} training positives; ` +
      `${evaluation.testUsers} test profiles, ${evaluation.testInteractions} held-out positives`,
    '',
    `${'model'.padEnd(12)}${'Recall@20'.padStart(10)}${'NDCG@10'.padStart(10)}${'coverage'.padStart(10)}${'train s'.padStart(10)}`,
  ];
  for (const [name, r] of Object.entries(evaluation.models)) {
    lines.push(
      `${name.padEnd(12)}${r.recall20.toFixed(4).padStart(10)}${r.ndcg10.toFixed(4).padStart(10)}` +
        `${r.coverage.toFixed(4).padStart(10)}${r.trainSeconds.toFixed(2).padStart(10)}`,
    );
  }
  for (const [name, reason] of Object.entries(evaluation.skipped))
    lines.push(`${name.padEnd(12)}skipped: ${reason}`);
  return lines.join('\n');
}

/** The `--json` shape: {"models":{"<name>":{recall20, ndcg10, coverage, trainSeconds}}, …}. */
export function evaluationJson(evaluation: Evaluation): string {
  return JSON.stringify({
    models: evaluation.models,
    skipped: evaluation.skipped,
    dataset: {
      users: evaluation.users,
      items: evaluation.items,
      trainInteractions: evaluation.trainInteractions,
      testUsers: evaluation.testUsers,
      testInteractions: evaluation.testInteractions,
    },
  });
}
