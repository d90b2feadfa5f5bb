import type { Duck } from '@marquee/analytics/lake';

interface PlanNode {
  operator_name?: string;
  operator_timing?: number;
  operator_cardinality?: number;
  extra_info?: Record<string, unknown>;
  children?: PlanNode[];
}

export interface Operator {
  statement: number;
  name: string;
  seconds: number;
  rows: number;
  detail: string;
}

/**
 * Runs `ask` once while recording its statements, then replays them on one connection (the overview's
 * temp table lives there) under DuckDB's EXPLAIN (ANALYZE, FORMAT JSON), and returns the costliest
 * operators across them with each statement's own latency.
 */
export async function profile(
  duck: Duck,
  ask: () => Promise<unknown>,
  top = 10,
): Promise<{ statements: { sql: string; seconds: number }[]; operators: Operator[] }> {
  const recorded: { sql: string; params?: Parameters<Duck['run']>[1] }[] = [];
  duck.onStatement = (sql, params) => recorded.push({ sql, ...(params ? { params } : {}) });
  try {
    await ask();
  } finally {
    duck.onStatement = undefined;
  }
  // The lake's own metadata reads (listing a compacted part's replaced list) are not the question.
  const questions = recorded.filter((r) => !r.sql.includes('parquet_kv_metadata'));
  return duck.session(async (db) => {
    const statements: { sql: string; seconds: number }[] = [];
    const operators: Operator[] = [];
    for (const [i, { sql, params }] of questions.entries()) {
      const [row] = await db.rows<{ explain_value: string }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      const plan = JSON.parse(row!.explain_value) as PlanNode & { latency: number };
      statements.push({
        sql: sql
          .replace(/\s+/g, ' ')
          .replace(/\[('[^']*'(, )?)+\]/g, '[…files]')
          .slice(0, 140),
        seconds: plan.latency,
      });
      const walk = (node: PlanNode) => {
        if (node.operator_name && node.operator_timing !== undefined) {
          const info = node.extra_info ?? {};
          const detail = ['Function', 'Aggregates', 'Groups', 'Table', 'Estimated Cardinality']
            .filter((k) => info[k] !== undefined)
            .map((k) => `${k}: ${JSON.stringify(info[k]).slice(0, 60)}`)
            .join('; ');
          operators.push({
            statement: i + 1,
            name: node.operator_name.trim(),
            seconds: node.operator_timing,
            rows: node.operator_cardinality ?? 0,
            detail,
          });
        }
        for (const child of node.children ?? []) walk(child);
      };
      walk(plan);
    }
    operators.sort((a, b) => b.seconds - a.seconds);
    return { statements, operators: operators.slice(0, top) };
  });
}
