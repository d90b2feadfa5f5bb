import type { Executor } from './executor.js';
import type { TwoFactorTable } from './tables.js';

export type TwoFactorRow = TwoFactorTable;

export function findTwoFactor(db: Executor, accountId: string): Promise<TwoFactorRow | undefined> {
  return db.selectFrom('two_factor').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** Whether the account signs in with a second factor (an enrolment still pending does not count). */
export async function hasTwoFactor(db: Executor, accountId: string): Promise<boolean> {
  const row = await db
    .selectFrom('two_factor')
    .select('account_id')
    .where('account_id', '=', accountId)
    .where('enabled_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** A new pending secret replaces an earlier unconfirmed one; an enabled one is never replaced here. */
export async function savePendingSecret(
  db: Executor,
  row: Pick<TwoFactorRow, 'account_id' | 'secret_sealed' | 'created_at'>,
): Promise<void> {
  await db
    .deleteFrom('two_factor')
    .where('account_id', '=', row.account_id)
    .where('enabled_at', 'is', null)
    .execute();
  await db
    .insertInto('two_factor')
    .values({ ...row, enabled_at: null, last_step: 0 })
    .execute();
}

/**
 * Records that a code of `step` was accepted, only if no code of that step or a later one was: two
 * concurrent uses of one code end as one, and a code seen once never works again.
 */
export async function acceptStep(db: Executor, accountId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('two_factor')
    .set({ last_step: step })
    .where('account_id', '=', accountId)
    .where('last_step', '<', step)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function enableTwoFactor(db: Executor, accountId: string, now: string): Promise<void> {
  await db.updateTable('two_factor').set({ enabled_at: now }).where('account_id', '=', accountId).execute();
}

export async function deleteTwoFactor(db: Executor, accountId: string): Promise<void> {
  await db.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
  await db.deleteFrom('two_factor').where('account_id', '=', accountId).execute();
}

/** Replaces the account's recovery codes (the old ones stop working). */
export async function replaceRecoveryCodes(db: Executor, accountId: string, hashes: string[]): Promise<void> {
  await db.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
  await db
    .insertInto('recovery_codes')
    .values(hashes.map((code_hash) => ({ account_id: accountId, code_hash, used_at: null })))
    .execute();
}

/** Spends a recovery code if it is the account's and unused: a conditional update, so it works once. */
export async function useRecoveryCode(
  db: Executor,
  accountId: string,
  codeHash: string,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('account_id', '=', accountId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function countRecoveryCodesLeft(db: Executor, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('account_id', '=', accountId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
