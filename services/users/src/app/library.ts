import { NotFoundError } from '@marquee/core';
import { enqueue } from '@marquee/platform';
import type { Executor } from '../store/executor.js';
import {
  addToList,
  deleteRating,
  findListItem,
  findRating,
  listItems,
  listRatings,
  removeFromList,
  upsertRating,
} from '../store/library-store.js';
import type { UsersAppContext } from './context.js';
import { myListChanged, titleRated } from './events.js';
import { ownedProfile } from './profiles.js';

export interface ListItemView {
  titleId: string;
  addedAt: string;
}

export type Thumb = 'up' | 'down';

export interface RatingView {
  titleId: string;
  rating: Thumb | null;
  ratedAt: string | null;
}

/** How many list items or ratings one call returns at most. */
export const LIBRARY_PAGE = 500;

export async function myList(
  db: Executor,
  accountId: string | undefined,
  profileId: string,
): Promise<ListItemView[]> {
  if (accountId !== undefined) await ownedProfile(db, accountId, profileId);
  const rows = await listItems(db, profileId, LIBRARY_PAGE);
  return rows.map((r) => ({ titleId: r.title_id, addedAt: r.added_at }));
}

export async function listItem(
  ctx: UsersAppContext,
  accountId: string,
  profileId: string,
  titleId: string,
): Promise<ListItemView> {
  await ownedProfile(ctx.db.write, accountId, profileId);
  const row = await findListItem(ctx.db.write, profileId, titleId);
  if (!row) throw new NotFoundError('list item', titleId);
  return { titleId: row.title_id, addedAt: row.added_at };
}

/** Idempotent: adding a title already in the list changes nothing and emits nothing. */
export async function addListItem(
  ctx: UsersAppContext,
  accountId: string,
  profileId: string,
  titleId: string,
): Promise<ListItemView> {
  return ctx.db.transaction(async (trx) => {
    await ownedProfile(trx, accountId, profileId);
    const added = await addToList(trx, {
      profile_id: profileId,
      title_id: titleId,
      added_at: ctx.clock().toISOString(),
    });
    if (added) await enqueue(trx, myListChanged(accountId, profileId, titleId, true));
    const row = await findListItem(trx, profileId, titleId);
    return { titleId, addedAt: row!.added_at };
  });
}

/** Idempotent: removing a title that is not in the list is not an error. */
export async function removeListItem(
  ctx: UsersAppContext,
  accountId: string,
  profileId: string,
  titleId: string,
): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await ownedProfile(trx, accountId, profileId);
    if (await removeFromList(trx, profileId, titleId))
      await enqueue(trx, myListChanged(accountId, profileId, titleId, false));
  });
}

/** Thumbs up, down, or null to clear; emits title.rated only when the rating changed. */
export async function rateTitle(
  ctx: UsersAppContext,
  accountId: string,
  profileId: string,
  titleId: string,
  rating: Thumb | null,
): Promise<RatingView> {
  return ctx.db.transaction(async (trx) => {
    await ownedProfile(trx, accountId, profileId);
    const previous = await findRating(trx, profileId, titleId);
    if ((previous?.rating ?? null) === rating) return ratingView(titleId, previous);
    const ratedAt = ctx.clock().toISOString();
    if (rating === null) await deleteRating(trx, profileId, titleId);
    else await upsertRating(trx, { profile_id: profileId, title_id: titleId, rating, rated_at: ratedAt });
    await enqueue(trx, titleRated(accountId, profileId, titleId, rating));
    return { titleId, rating, ratedAt: rating === null ? null : ratedAt };
  });
}

export async function getRating(
  ctx: UsersAppContext,
  accountId: string,
  profileId: string,
  titleId: string,
): Promise<RatingView> {
  await ownedProfile(ctx.db.write, accountId, profileId);
  return ratingView(titleId, await findRating(ctx.db.write, profileId, titleId));
}

export async function ratings(
  ctx: UsersAppContext,
  accountId: string,
  profileId: string,
): Promise<RatingView[]> {
  await ownedProfile(ctx.db.write, accountId, profileId);
  return (await listRatings(ctx.db.write, profileId, LIBRARY_PAGE)).map((r) => ratingView(r.title_id, r));
}

function ratingView(titleId: string, row: { rating: Thumb; rated_at: string } | undefined): RatingView {
  return { titleId, rating: row?.rating ?? null, ratedAt: row?.rated_at ?? null };
}
