import type { PlaybackSessionsTable } from './tables.js';
import type { Executor } from './titles-store.js';

export type SessionRow = PlaybackSessionsTable;

export async function insertSession(db: Executor, row: SessionRow): Promise<void> {
  await db.insertInto('playback_sessions').values(row).execute();
}

export function findSession(db: Executor, sessionId: string): Promise<SessionRow | undefined> {
  return db
    .selectFrom('playback_sessions')
    .selectAll()
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
}

export async function recordPosition(db: Executor, sessionId: string, position: number): Promise<void> {
  await db.updateTable('playback_sessions').set({ position }).where('session_id', '=', sessionId).execute();
}

/** Marks a session stopped; true only for the call that stopped it (so playback.stopped is sent once). */
export async function markStopped(
  db: Executor,
  sessionId: string,
  position: number | undefined,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('playback_sessions')
    .set({ stopped_at: now, ...(position === undefined ? {} : { position }) })
    .where('session_id', '=', sessionId)
    .where('stopped_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Forgets sessions whose media token expired before `before`. */
export async function deleteExpiredSessions(db: Executor, before: string): Promise<number> {
  const result = await db.deleteFrom('playback_sessions').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The newest session of a profile on a title that streaming still keeps (sessions live until their
 * media token expires): its position is the last one the player reported, which users' history only
 * learns later through events.
 */
export function latestSession(
  db: Executor,
  profileId: string,
  titleId: string,
): Promise<Pick<SessionRow, 'position' | 'duration_seconds'> | undefined> {
  return db
    .selectFrom('playback_sessions')
    .select(['position', 'duration_seconds'])
    .where('profile_id', '=', profileId)
    .where('title_id', '=', titleId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** An account's sessions not yet stopped whose media token is still valid. */
export function openSessions(db: Executor, accountId: string, now: string): Promise<SessionRow[]> {
  return db
    .selectFrom('playback_sessions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('stopped_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
}
