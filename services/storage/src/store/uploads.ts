import { randomUUID } from 'node:crypto';
import type { Database } from '@marquee/platform';
import type { Transaction } from 'kysely';
import type { StorageTables, UploadsTable, UploadState } from './tables.js';

export type UploadRow = UploadsTable;

/** The storage service's upload records. */
export class UploadStore {
  constructor(private readonly db: Database<StorageTables>) {}

  async create(
    row: Omit<UploadRow, 'state' | 'blob_key' | 'sha256' | 'stored_at' | 'settled_at'>,
  ): Promise<void> {
    await this.db.write
      .insertInto('uploads')
      .values({ ...row, state: 'receiving', blob_key: null, sha256: null, stored_at: null, settled_at: null })
      .execute();
  }

  /**
   * The upload, from a read replica by default; `'primary'` for what a finisher decides on, so a
   * replica's lag never makes it redo a finish.
   */
  find(uploadId: string, from: 'replica' | 'primary' = 'replica'): Promise<UploadRow | undefined> {
    return (from === 'primary' ? this.db.write : this.db.read)
      .selectFrom('uploads')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
  }

  inState(states: readonly UploadState[]): Promise<UploadRow[]> {
    return this.db.read
      .selectFrom('uploads')
      .selectAll()
      .where('state', 'in', states)
      .orderBy('created_at')
      .execute();
  }

  /**
   * States of these uploads, read from the primary: a lagging read replica may not have the row of an
   * upload created a moment ago, and its staging must not look ownerless.
   */
  async statesOnPrimary(uploadIds: readonly string[]): Promise<Map<string, UploadState>> {
    const states = new Map<string, UploadState>();
    // In chunks: staging holds a handful of uploads, but an IN list must stay bounded whatever happens.
    for (let i = 0; i < uploadIds.length; i += 500) {
      const rows = await this.db.write
        .selectFrom('uploads')
        .select(['upload_id', 'state'])
        .where('upload_id', 'in', uploadIds.slice(i, i + 500))
        .execute();
      for (const row of rows) states.set(row.upload_id, row.state);
    }
    return states;
  }

  /** Moves a receiving upload to 'stored'; false when it was not receiving (stored by someone else). */
  async markStored(
    trx: Transaction<StorageTables>,
    uploadId: string,
    blobKey: string,
    sha256: string,
    size: number,
    at: Date,
  ): Promise<boolean> {
    const result = await trx
      .updateTable('uploads')
      .set({ state: 'stored', blob_key: blobKey, sha256, size, stored_at: at.toISOString() })
      .where('upload_id', '=', uploadId)
      .where('state', '=', 'receiving')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Moves every source upload of an asset to its settled state (from the encoder's verdict). */
  async settleAsset(assetId: string, state: 'ready' | 'failed', at: Date): Promise<void> {
    await this.db.write
      .updateTable('uploads')
      .set({ state, settled_at: at.toISOString() })
      .where('asset_id', '=', assetId)
      .where('kind', '=', 'source')
      .where('state', 'in', ['stored', 'receiving'])
      .execute();
  }

  async expire(uploadId: string, at: Date): Promise<void> {
    await this.db.write
      .updateTable('uploads')
      .set({ state: 'expired', settled_at: at.toISOString() })
      .where('upload_id', '=', uploadId)
      .execute();
  }

  /**
   * Expires an upload only while it is still receiving; false when it is not (stored meanwhile by a
   * finisher, or already expired), so giving up never overwrites a finished upload.
   */
  async expireReceiving(uploadId: string, at: Date): Promise<boolean> {
    const result = await this.db.write
      .updateTable('uploads')
      .set({ state: 'expired', settled_at: at.toISOString() })
      .where('upload_id', '=', uploadId)
      .where('state', '=', 'receiving')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Every upload of these titles that is not expired yet, from the primary (a deletion decides on it). */
  async liveOfTitles(titleIds: readonly string[]): Promise<UploadRow[]> {
    if (titleIds.length === 0) return [];
    return this.db.write
      .selectFrom('uploads')
      .selectAll()
      .where('title_id', 'in', titleIds)
      .where('state', '!=', 'expired')
      .execute();
  }

  async recordMismatch(blobKey: string, expected: string, actual: string, at: Date): Promise<void> {
    await this.db.write
      .insertInto('scrub_mismatches')
      .values({ id: randomUUID(), blob_key: blobKey, expected, actual, found_at: at.toISOString() })
      .execute();
  }
}
