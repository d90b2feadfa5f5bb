import type { Logger } from '@marquee/core';
import type { BlobStore, EventBus, Subscription } from '@marquee/platform';
import type { UploadStore } from '../store/uploads.js';

export interface DeleteTitlesDeps {
  bus: EventBus;
  blobs: BlobStore;
  uploads: UploadStore;
  logger: Logger;
  /** Consumer group (one per storage deployment: every replica shares the work). */
  group?: string;
}

/**
 * When the operator deletes a title, its media goes too: every object of its assets (ladder, poster,
 * trickplay, subtitles, uploaded artwork), its sources and subtitle sidecars, and the upload records
 * are expired so the lifecycle job and the scrubber forget them. The lifecycle rules keep a source
 * only while its title can still be re-encoded; a deleted title cannot. Idempotent: a redelivered
 * event finds less to delete. Staging of an upload still receiving is removed by the lifecycle job's
 * leftover sweep once its record is expired.
 */
export function deleteMediaOfDeletedTitles(deps: DeleteTitlesDeps): Promise<Subscription> {
  return deps.bus.subscribe({
    group: deps.group ?? 'storage-deletions',
    types: ['title.deleted'],
    handler: async ({ event }) => {
      const { titleIds, assetIds } = event.data;
      let objects = 0;
      for (const prefix of [
        ...assetIds.map((id) => `assets/${id}/`),
        ...titleIds.map((id) => `sidecars/${id}/`),
      ]) {
        objects += await deletePrefix(deps.blobs, prefix);
      }
      const now = new Date();
      const rows = await deps.uploads.liveOfTitles(titleIds);
      for (const row of rows) {
        if (row.blob_key) await deps.blobs.delete(row.blob_key);
        await deps.uploads.expire(row.upload_id, now);
      }
      deps.logger.info(
        { titleId: event.data.titleId, objects, uploads: rows.length },
        'media of a deleted title removed',
      );
    },
  });
}

async function deletePrefix(blobs: BlobStore, prefix: string): Promise<number> {
  const keys: string[] = [];
  for await (const info of blobs.list(prefix)) keys.push(info.key);
  for (const key of keys) await blobs.delete(key);
  return keys.length;
}
