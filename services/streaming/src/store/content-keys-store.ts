import type { WrappedContentKey } from '@marquee/core/content-keys';
import type { Executor } from './titles-store.js';

/** An encrypted asset's content key, only ever wrapped by a master key (core/content-keys.ts). */
export interface AssetContentKeysTable {
  asset_id: string;
  method: 'AES-128';
  /** The master key id that wrapped it. */
  key_id: string;
  wrapped: string;
  created_at: string;
}

/** Records the key `media.encoded` announced; a second announcement of the same asset changes nothing. */
export async function saveContentKey(
  db: Executor,
  assetId: string,
  key: WrappedContentKey,
  now: string,
): Promise<void> {
  await db
    .insertInto('asset_content_keys')
    .values({
      asset_id: assetId,
      method: key.method,
      key_id: key.keyId,
      wrapped: key.wrapped,
      created_at: now,
    })
    .onConflict((c) => c.column('asset_id').doNothing())
    .execute();
}

export async function findContentKey(db: Executor, assetId: string): Promise<WrappedContentKey | undefined> {
  const row = await db
    .selectFrom('asset_content_keys')
    .selectAll()
    .where('asset_id', '=', assetId)
    .executeTakeFirst();
  return row && { method: row.method, keyId: row.key_id, wrapped: row.wrapped };
}
