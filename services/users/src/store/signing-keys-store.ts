import type { Executor } from './executor.js';
import type { SigningKeysTable } from './tables.js';

export type SigningKeyRow = SigningKeysTable;

export async function insertSigningKey(db: Executor, row: SigningKeyRow): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute();
}

/** The newest keys first: the first signs, all of them verify. */
export function newestSigningKeys(db: Executor, limit: number): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .limit(limit)
    .execute();
}
