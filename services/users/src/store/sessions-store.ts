import type { Executor } from './executor.js';
import type { RefreshTokensTable, SessionsTable } from './tables.js';

export type SessionRow = SessionsTable;
export type RefreshTokenRow = RefreshTokensTable;

export async function insertSession(db: Executor, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function insertRefreshToken(db: Executor, row: RefreshTokenRow): Promise<void> {
  await db.insertInto('refresh_tokens').values(row).execute();
}

/** The token and the session (family) it belongs to, by the token's hash. */
export async function findRefreshToken(
  db: Executor,
  tokenHash: string,
): Promise<{ token: RefreshTokenRow; session: SessionRow } | undefined> {
  const token = await db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!token) return undefined;
  const session = await findSession(db, token.session_id);
  return session && { token, session };
}

/**
 * Marks the token exchanged, only if nobody did before: the conditional update is the race guard that
 * makes two concurrent refreshes with one token end as one rotation and one detected reuse.
 */
export async function markRefreshTokenUsed(db: Executor, tokenHash: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function touchSession(db: Executor, sessionId: string, now: string): Promise<void> {
  await db.updateTable('sessions').set({ last_used_at: now }).where('session_id', '=', sessionId).execute();
}

export async function revokeSession(
  db: Executor,
  sessionId: string,
  reason: string,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('session_id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Revokes every live session of the account; returns their ids (the gateway's revocation set needs
 * them to end their access tokens too).
 */
export async function revokeAccountSessions(
  db: Executor,
  accountId: string,
  reason: string,
  now: string,
): Promise<string[]> {
  const rows = await db
    .updateTable('sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .returning('session_id')
    .execute();
  return rows.map((row) => row.session_id);
}

/** Sessions that are neither revoked nor past their absolute end, newest use first. */
export function listLiveSessions(db: Executor, accountId: string, now: string): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('last_used_at', 'desc')
    .execute();
}

export function findSession(db: Executor, sessionId: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
}
