import type { Executor } from './executor.js';

/** Claims a one-time start-up step; false when any instance already did it. */
export async function claimBootstrapStep(db: Executor, step: string, now: string): Promise<boolean> {
  const result = await db
    .insertInto('bootstrap')
    .values({ step, done_at: now })
    .onConflict((oc) => oc.column('step').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function isBootstrapStepDone(db: Executor, step: string): Promise<boolean> {
  return (
    (await db.selectFrom('bootstrap').select('step').where('step', '=', step).executeTakeFirst()) !==
    undefined
  );
}
