import type { Executor } from './executor.js';
import type { MyListTable, RatingsTable } from './tables.js';

export type ListRow = MyListTable;
export type RatingRow = RatingsTable;

/** Adds the title; false when it was already in the list (nothing changed). */
export async function addToList(db: Executor, row: ListRow): Promise<boolean> {
  const result = await db
    .insertInto('my_list')
    .values(row)
    .onConflict((oc) => oc.columns(['profile_id', 'title_id']).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Removes the title; false when it was not in the list. */
export async function removeFromList(db: Executor, profileId: string, titleId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('my_list')
    .where('profile_id', '=', profileId)
    .where('title_id', '=', titleId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function findListItem(db: Executor, profileId: string, titleId: string): Promise<ListRow | undefined> {
  return db
    .selectFrom('my_list')
    .selectAll()
    .where('profile_id', '=', profileId)
    .where('title_id', '=', titleId)
    .executeTakeFirst();
}

/** Most recently added first. */
export function listItems(db: Executor, profileId: string, limit: number): Promise<ListRow[]> {
  return db
    .selectFrom('my_list')
    .selectAll()
    .where('profile_id', '=', profileId)
    .orderBy('added_at', 'desc')
    .orderBy('title_id')
    .limit(limit)
    .execute();
}

export function findRating(db: Executor, profileId: string, titleId: string): Promise<RatingRow | undefined> {
  return db
    .selectFrom('ratings')
    .selectAll()
    .where('profile_id', '=', profileId)
    .where('title_id', '=', titleId)
    .executeTakeFirst();
}

export async function upsertRating(db: Executor, row: RatingRow): Promise<void> {
  await db
    .insertInto('ratings')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['profile_id', 'title_id']).doUpdateSet({ rating: row.rating, rated_at: row.rated_at }),
    )
    .execute();
}

export async function deleteRating(db: Executor, profileId: string, titleId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('ratings')
    .where('profile_id', '=', profileId)
    .where('title_id', '=', titleId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function listRatings(db: Executor, profileId: string, limit: number): Promise<RatingRow[]> {
  return db
    .selectFrom('ratings')
    .selectAll()
    .where('profile_id', '=', profileId)
    .orderBy('rated_at', 'desc')
    .orderBy('title_id')
    .limit(limit)
    .execute();
}
