import type { Logger } from '@marquee/core';
import type { BlobStore } from '@marquee/platform';
import type { DataStore } from '@tus/utils';
import { decideLifecycle, type LifecyclePolicy } from '../app/lifecycle-policy.js';
import type { UploadStore } from '../store/uploads.js';

/**
 * Applies the lifecycle policy once: deletes what decideLifecycle names and records it. Stops between
 * two deletions when `signal` aborts (every deletion is idempotent, so whoever runs next redoes none).
 */
export async function runLifecycle(
  deps: { uploads: UploadStore; blobs: BlobStore; datastore: DataStore; logger: Logger },
  policy: LifecyclePolicy,
  now = new Date(),
  signal?: AbortSignal,
): Promise<number> {
  const rows = await deps.uploads.inState(['receiving', 'ready', 'failed']);
  const actions = decideLifecycle(rows, now, policy);
  let applied = 0;
  for (const { uploadId, action, why } of actions) {
    if (signal?.aborted) break;
    const row = rows.find((r) => r.upload_id === uploadId);
    if (!row) continue;
    if (action === 'abandon-upload') {
      await deps.datastore.remove(uploadId).catch(() => undefined);
    } else if (row.blob_key) {
      await deps.blobs.delete(row.blob_key);
    }
    await deps.uploads.expire(uploadId, now);
    deps.logger.info({ uploadId, action, why }, 'lifecycle policy applied');
    applied++;
  }
  return applied;
}
