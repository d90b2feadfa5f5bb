import type { Executor } from './executor.js';

export async function setProfilePin(
  db: Executor,
  profileId: string,
  pinHash: string | null,
  setAt: string | null,
): Promise<void> {
  await db
    .updateTable('profiles')
    .set({ pin_hash: pinHash, pin_set_at: setAt })
    .where('profile_id', '=', profileId)
    .execute();
}

export async function confinementOf(db: Executor, sessionId: string): Promise<string | null> {
  const row = await db
    .selectFrom('session_confinements')
    .select('profile_id')
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return row?.profile_id ?? null;
}

/** Idempotent: entering the same kids profile again keeps the first confinement. */
export async function confineSession(
  db: Executor,
  sessionId: string,
  profileId: string,
  now: string,
): Promise<void> {
  await db
    .insertInto('session_confinements')
    .values({ session_id: sessionId, profile_id: profileId, confined_at: now })
    .onConflict((oc) => oc.column('session_id').doNothing())
    .execute();
}

/** Ends the confinements that match (one session's to a profile, or every one to a profile); their session ids. */
export async function releaseSession(
  db: Executor,
  match: { sessionId?: string; profileId: string },
): Promise<string[]> {
  let query = db.deleteFrom('session_confinements').where('profile_id', '=', match.profileId);
  if (match.sessionId !== undefined) query = query.where('session_id', '=', match.sessionId);
  const rows = await query.returning('session_id').execute();
  return rows.map((r) => r.session_id);
}
