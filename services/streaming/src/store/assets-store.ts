import { jsonColumn } from '@marquee/platform';
import type { AssetChange, AssetSnapshot, Rendition } from '../app/asset-state.js';
import type { AssetsTable } from './tables.js';
import type { Executor } from './titles-store.js';

export type AssetRow = AssetsTable;

export async function insertAsset(db: Executor, row: AssetRow): Promise<void> {
  await db.insertInto('assets').values(row).execute();
}

export function findAsset(db: Executor, assetId: string): Promise<AssetRow | undefined> {
  return db.selectFrom('assets').selectAll().where('asset_id', '=', assetId).executeTakeFirst();
}

/** A title's newest asset: what the admin console shows (a re-upload in progress included). */
export function latestAssetOf(db: Executor, titleId: string): Promise<AssetRow | undefined> {
  return db
    .selectFrom('assets')
    .selectAll()
    .where('title_id', '=', titleId)
    .orderBy('created_at', 'desc')
    .orderBy('asset_id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export function latestAssetsOf(db: Executor, titleIds: readonly string[]): Promise<AssetRow[]> {
  if (titleIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('assets').selectAll().where('title_id', 'in', titleIds).execute();
}

export function snapshotOf(row: AssetRow): AssetSnapshot {
  return { state: row.state, progress: row.progress, stage: row.stage, reason: row.reason };
}

export function renditionsOf(row: Pick<AssetRow, 'renditions'>): Rendition[] {
  return row.renditions ? jsonColumn.decode<Rendition[]>(row.renditions) : [];
}

/**
 * Applies a change computed by nextAssetState, guarded by the state it was computed from, so two
 * consumers racing on one asset cannot both apply (the loser sees 0 rows and re-reads).
 */
export async function applyAssetChange(
  db: Executor,
  assetId: string,
  from: AssetSnapshot,
  change: AssetChange,
  now: string,
): Promise<boolean> {
  const values =
    change.state === 'ready'
      ? {
          state: change.state,
          progress: 1,
          stage: null,
          reason: null,
          renditions: jsonColumn.encode(change.renditions),
          duration_seconds: change.durationSeconds,
          poster_key: change.posterKey,
        }
      : change.state === 'encoding'
        ? { state: change.state, progress: change.progress, stage: change.stage }
        : change.state === 'failed'
          ? { state: change.state, reason: change.reason }
          : { state: change.state };
  const result = await db
    .updateTable('assets')
    .set({ ...values, updated_at: now })
    .where('asset_id', '=', assetId)
    .where('state', '=', from.state)
    .where('progress', '=', from.progress)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
