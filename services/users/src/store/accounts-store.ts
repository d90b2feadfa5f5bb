import type { Plan, Role } from '@marquee/core';
import type { Executor } from './executor.js';
import type { AccountsTable } from './tables.js';

export type AccountRow = AccountsTable;

/** A new account is enabled: `disabled_at` is only ever set by an operator (app/account-admin.ts). */
export async function insertAccount(db: Executor, row: Omit<AccountRow, 'disabled_at'>): Promise<void> {
  await db
    .insertInto('accounts')
    .values({ ...row, disabled_at: null })
    .execute();
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

export async function setDisabled(
  db: Executor,
  accountId: string,
  disabledAt: string | null,
  now: string,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ disabled_at: disabledAt, updated_at: now })
    .where('account_id', '=', accountId)
    .execute();
}

/** Accounts for the operator, by email, with a keyset cursor; `query` matches part of the email. */
export function listAccounts(
  db: Executor,
  query: string | undefined,
  afterEmail: string | undefined,
  limit: number,
): Promise<AccountRow[]> {
  let q = db.selectFrom('accounts').selectAll();
  // Emails are stored lower-case; LIKE's wildcards are dropped from the query rather than escaped,
  // since SQLite and PostgreSQL disagree on the default escape character.
  const needle = query?.toLowerCase().replace(/[\\%_]/g, '');
  if (needle) q = q.where('email', 'like', `%${needle}%`);
  if (afterEmail) q = q.where('email', '>', afterEmail);
  return q.orderBy('email').limit(limit).execute();
}
