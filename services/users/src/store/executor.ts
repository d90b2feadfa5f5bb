import type { Kysely, Transaction } from 'kysely';
import type { UsersTables } from './tables.js';

/** A connection or a transaction: every store function runs on either. */
export type Executor = Kysely<UsersTables>;

/** Where events may be enqueued: the outbox row must commit or roll back with the change. */
export type UsersTransaction = Transaction<UsersTables>;

/** True for a unique/primary-key violation on PostgreSQL (23505) or SQLite. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export const toFlag = (value: boolean): number => (value ? 1 : 0);
export const fromFlag = (value: number): boolean => value === 1;
