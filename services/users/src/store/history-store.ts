import type { Executor } from './executor.js';
import type { ViewingHistoryTable } from './tables.js';

export type HistoryRow = ViewingHistoryTable;

export function findHistory(
  db: Executor,
  profileId: string,
  titleId: string,
): Promise<HistoryRow | undefined> {
  return db
    .selectFrom('viewing_history')
    .selectAll()
    .where('profile_id', '=', profileId)
    .where('title_id', '=', titleId)
    .executeTakeFirst();
}

/**
 * Writes a profile's progress on a title unless a newer event's is already stored; false when it was.
 * The store orders the writes itself: two events handled at once both read the row before either
 * writes, and without the condition the older one, committing last, put its position back.
 */
export async function upsertHistory(db: Executor, row: HistoryRow): Promise<boolean> {
  const result = await db
    .insertInto('viewing_history')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['profile_id', 'title_id'])
        .doUpdateSet({
          position: row.position,
          duration: row.duration,
          completed: row.completed,
          event_time: row.event_time,
        })
        .whereRef('viewing_history.event_time', '<', 'excluded.event_time'),
    )
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Most recently watched first; `unfinishedOnly` gives the continue-watching row. */
export function listHistory(
  db: Executor,
  profileId: string,
  options: { limit: number; unfinishedOnly?: boolean },
): Promise<HistoryRow[]> {
  let query = db.selectFrom('viewing_history').selectAll().where('profile_id', '=', profileId);
  if (options.unfinishedOnly) query = query.where('completed', '=', 0).where('position', '>', 0);
  return query.orderBy('event_time', 'desc').orderBy('title_id').limit(options.limit).execute();
}

/**
 * Records that an event was handled; false when it already was. Run in the same transaction as the
 * event's effect, so "handled" and "applied" commit together.
 */
export async function claimEvent(db: Executor, eventId: string, now: string): Promise<boolean> {
  const result = await db
    .insertInto('processed_events')
    .values({ event_id: eventId, processed_at: now })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Forgets handled-event ids older than `before`; redeliveries come long before that. */
export async function forgetEventsBefore(db: Executor, before: string): Promise<number> {
  const result = await db
    .deleteFrom('processed_events')
    .where('processed_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
