import type { Executor } from './executor.js';
import type { PlanChangesTable } from './tables.js';

export type PlanChangeRow = PlanChangesTable;

/** Records (or replaces) the account's pending plan request. */
export async function upsertPlanChange(db: Executor, row: PlanChangeRow): Promise<void> {
  await db
    .insertInto('plan_changes')
    .values(row)
    .onConflict((oc) =>
      oc.column('account_id').doUpdateSet({
        requested_plan: row.requested_plan,
        detail: row.detail,
        requested_at: row.requested_at,
      }),
    )
    .execute();
}

export function findPlanChange(db: Executor, accountId: string): Promise<PlanChangeRow | undefined> {
  return db.selectFrom('plan_changes').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** Oldest first: the order an operator works through them. */
export function listPlanChanges(
  db: Executor,
  limit: number,
): Promise<(PlanChangeRow & { email: string; plan: PlanChangeRow['requested_plan'] })[]> {
  return db
    .selectFrom('plan_changes')
    .innerJoin('accounts', 'accounts.account_id', 'plan_changes.account_id')
    .select([
      'plan_changes.account_id',
      'plan_changes.requested_plan',
      'plan_changes.detail',
      'plan_changes.requested_at',
      'accounts.email',
      'accounts.plan',
    ])
    .orderBy('plan_changes.requested_at')
    .limit(limit)
    .execute();
}

export async function deletePlanChange(db: Executor, accountId: string): Promise<boolean> {
  const result = await db.deleteFrom('plan_changes').where('account_id', '=', accountId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
