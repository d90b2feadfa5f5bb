import type { Logger } from '@marquee/core';
import type { BlobStore } from '@marquee/platform';
import { decideLifecycle, type LifecyclePolicy } from '../app/lifecycle-policy.js';
import type { Staging } from '../staging.js';
import type { ExclusiveFinish } from './exclusive-finish.js';
import type { UploadStore } from '../store/uploads.js';

export interface LifecycleDeps {
  uploads: UploadStore;
  blobs: BlobStore;
  staging: Pick<Staging, 'remove' | 'list'>;
  logger: Logger;
  /** Gives up a stalled upload under its finishing lease, so a finish arriving now is never cut short. */
  finisher: Pick<ExclusiveFinish, 'abandon'>;
}

export interface LifecycleResult {
  /** Policy actions applied (sources deleted, abandoned uploads removed). */
  applied: number;
  /** Uploads whose leftover staging was removed (finished, expired or unknown uploads). */
  stagingRemoved: number;
}

/**
 * Applies the lifecycle policy once: deletes what decideLifecycle names and records it, then removes
 * staging that no upload in progress owns. Stops between two deletions when `signal` aborts; every
 * deletion is idempotent, so whoever runs next simply redoes what was cut short. A deletion that fails
 * leaves its upload as it was, to be retried by the next run.
 */
export async function runLifecycle(
  deps: LifecycleDeps,
  policy: LifecyclePolicy,
  now = new Date(),
  signal?: AbortSignal,
): Promise<LifecycleResult> {
  const rows = await deps.uploads.inState(['receiving', 'ready', 'failed']);
  const actions = decideLifecycle(rows, now, policy);
  let applied = 0;
  for (const { uploadId, action, why } of actions) {
    if (signal?.aborted) break;
    const row = rows.find((r) => r.upload_id === uploadId);
    if (!row) continue;
    try {
      if (action === 'abandon-upload') {
        if ((await deps.finisher.abandon(uploadId, () => abandonUpload(deps, uploadId, now))) !== 'abandoned')
          continue;
      } else {
        if (row.blob_key) await deps.blobs.delete(row.blob_key);
        await deps.uploads.expire(uploadId, now);
      }
    } catch (err) {
      deps.logger.warn({ err, uploadId, action }, 'lifecycle action failed; the next run retries it');
      continue;
    }
    deps.logger.info({ uploadId, action, why }, 'lifecycle policy applied');
    applied++;
  }
  const stagingRemoved = signal?.aborted ? 0 : await removeLeftoverStaging(deps, signal);
  return { applied, stagingRemoved };
}

/**
 * Run holding the upload's finishing lease, on a row the primary still shows receiving. The row is
 * expired before its staging is removed: a finisher taking the lease after this one (say it lapsed)
 * then finds the upload given up rather than reading staging half removed. A removal that fails is
 * left to the leftover sweep, which removes staging of uploads no longer receiving.
 */
async function abandonUpload(deps: LifecycleDeps, uploadId: string, now: Date): Promise<boolean> {
  if (!(await deps.uploads.expireReceiving(uploadId, now))) return false;
  await deps.staging
    .remove(uploadId)
    .catch((err: unknown) =>
      deps.logger.warn(
        { err, uploadId },
        'could not remove the abandoned staging; the leftover sweep retries it',
      ),
    );
  return true;
}

/**
 * A finished upload's staging is removed right after it is stored, but that removal may fail (the
 * object store briefly unreachable, a crash just after the commit): staging left by any upload that is
 * no longer receiving — or that has no row at all — is removed here, as is staging of an upload
 * given up above whose removal failed. Staging of uploads still receiving is left to the abandon policy.
 */
async function removeLeftoverStaging(deps: LifecycleDeps, signal?: AbortSignal): Promise<number> {
  const staged = await deps.staging.list();
  const states = await deps.uploads.statesOnPrimary(staged);
  let removed = 0;
  for (const uploadId of staged) {
    if (signal?.aborted) break;
    const state = states.get(uploadId);
    if (state === 'receiving') continue;
    try {
      await deps.staging.remove(uploadId);
    } catch (err) {
      deps.logger.warn({ err, uploadId }, 'could not remove leftover staging; the next run retries it');
      continue;
    }
    deps.logger.info({ uploadId, state: state ?? 'unknown' }, 'leftover upload staging removed');
    removed++;
  }
  return removed;
}
