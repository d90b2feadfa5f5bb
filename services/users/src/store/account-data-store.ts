import type { Executor } from './executor.js';

/** Everything users holds about an account's profiles, for its owner's export (no limits: it is theirs). */
export async function profileRecords(db: Executor, profileIds: string[]) {
  if (profileIds.length === 0) return { list: [], ratings: [], history: [] };
  const [list, ratings, history] = await Promise.all([
    db.selectFrom('my_list').selectAll().where('profile_id', 'in', profileIds).orderBy('added_at').execute(),
    db.selectFrom('ratings').selectAll().where('profile_id', 'in', profileIds).orderBy('rated_at').execute(),
    db
      .selectFrom('viewing_history')
      .selectAll()
      .where('profile_id', 'in', profileIds)
      .orderBy('event_time')
      .execute(),
  ]);
  return { list, ratings, history };
}

/** Every session the account ever opened that is still stored, ended ones included. */
export function accountSessions(db: Executor, accountId: string) {
  return db
    .selectFrom('sessions')
    .select([
      'session_id',
      'created_at',
      'last_used_at',
      'expires_at',
      'user_agent',
      'revoked_at',
      'revoked_reason',
    ])
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
}

/** The account row goes; every table keyed by it or its profiles and sessions cascades (migrations). */
export async function deleteAccountRow(db: Executor, accountId: string): Promise<boolean> {
  const result = await db.deleteFrom('accounts').where('account_id', '=', accountId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
