import type { Plan, Role } from '@marquee/core';
import type { Executor } from './executor.js';
import type { AccountsTable } from './tables.js';

export type AccountRow = AccountsTable;

export async function insertAccount(db: Executor, row: AccountRow): Promise<void> {
  await db.insertInto('accounts').values(row).execute();
}

export function findAccountByEmail(db: Executor, email: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
}

export function findAccount(db: Executor, accountId: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/**
 * Takes the account row's lock until the transaction ends (PostgreSQL), so per-account limits (five
 * profiles) hold under concurrent requests. SQLite serialises writers already.
 */
export async function lockAccount(
  trx: Executor,
  dialect: 'sqlite' | 'postgres',
  accountId: string,
): Promise<boolean> {
  const query = trx.selectFrom('accounts').select('account_id').where('account_id', '=', accountId);
  const row = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  return row !== undefined;
}

export async function updatePasswordHash(
  db: Executor,
  accountId: string,
  hash: string,
  now: string,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ password_hash: hash, updated_at: now })
    .where('account_id', '=', accountId)
    .execute();
}

export async function updatePlan(db: Executor, accountId: string, plan: Plan, now: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ plan, updated_at: now })
    .where('account_id', '=', accountId)
    .execute();
}

export async function updateRole(db: Executor, accountId: string, role: Role, now: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ role, updated_at: now })
    .where('account_id', '=', accountId)
    .execute();
}
