import { NotFoundError } from '@marquee/core';
import type { Executor } from '../store/executor.js';
import { fromFlag } from '../store/executor.js';
import { findHistory, listHistory, type HistoryRow } from '../store/history-store.js';
import { ownedProfile } from './profiles.js';

/** One title in a profile's viewing history; `position` is where playback resumes, in seconds. */
export interface HistoryItemView {
  titleId: string;
  position: number;
  duration: number | null;
  completed: boolean;
  startedAt: string;
  lastWatchedAt: string;
}

export const HISTORY_PAGE = 200;

export function historyView(row: HistoryRow): HistoryItemView {
  return {
    titleId: row.title_id,
    position: row.position,
    duration: row.duration,
    completed: fromFlag(row.completed),
    startedAt: row.started_at,
    lastWatchedAt: row.event_time,
  };
}

/** `accountId` undefined: an internal caller (continue-watching for home rows), no ownership check. */
export async function viewingHistory(
  db: Executor,
  accountId: string | undefined,
  profileId: string,
  options: { unfinishedOnly?: boolean; limit?: number } = {},
): Promise<HistoryItemView[]> {
  if (accountId !== undefined) await ownedProfile(db, accountId, profileId);
  const rows = await listHistory(db, profileId, {
    limit: options.limit ?? HISTORY_PAGE,
    unfinishedOnly: options.unfinishedOnly,
  });
  return rows.map(historyView);
}

export async function historyItem(
  db: Executor,
  accountId: string,
  profileId: string,
  titleId: string,
): Promise<HistoryItemView> {
  await ownedProfile(db, accountId, profileId);
  const row = await findHistory(db, profileId, titleId);
  if (!row) throw new NotFoundError('history item', titleId);
  return historyView(row);
}
