import type { UploadState } from '../store/tables.js';

export interface LifecyclePolicy {
  /** Delete a source this many days after its asset became ready; 0 keeps sources forever. */
  sourceRetentionDays: number;
  /** Delete unfinished or failed uploads this many hours after they stalled or failed; 0 keeps them. */
  failedRetentionHours: number;
}

export interface LifecycleCandidate {
  upload_id: string;
  kind: 'source' | 'subtitle';
  state: UploadState;
  created_at: string;
  settled_at: string | null;
}

export type LifecycleAction = { uploadId: string; action: 'delete-source' | 'abandon-upload'; why: string };

const HOUR = 3_600_000;

/**
 * Decides, purely, what the lifecycle job removes. Subtitle sidecars are kept: they are tiny and needed
 * to re-encode a title. A source still being encoded (state 'stored') is never touched.
 */
export function decideLifecycle(
  rows: readonly LifecycleCandidate[],
  now: Date,
  policy: LifecyclePolicy,
): LifecycleAction[] {
  const actions: LifecycleAction[] = [];
  const age = (iso: string | null) => (iso ? now.getTime() - Date.parse(iso) : 0);
  for (const row of rows) {
    if (
      row.state === 'receiving' &&
      policy.failedRetentionHours > 0 &&
      age(row.created_at) > policy.failedRetentionHours * HOUR
    ) {
      actions.push({
        uploadId: row.upload_id,
        action: 'abandon-upload',
        why: `unfinished for over ${policy.failedRetentionHours} h`,
      });
    } else if (row.kind === 'subtitle') {
      continue;
    } else if (
      row.state === 'failed' &&
      policy.failedRetentionHours > 0 &&
      age(row.settled_at) > policy.failedRetentionHours * HOUR
    ) {
      actions.push({
        uploadId: row.upload_id,
        action: 'delete-source',
        why: `encoding failed over ${policy.failedRetentionHours} h ago`,
      });
    } else if (
      row.state === 'ready' &&
      policy.sourceRetentionDays > 0 &&
      age(row.settled_at) > policy.sourceRetentionDays * 24 * HOUR
    ) {
      actions.push({
        uploadId: row.upload_id,
        action: 'delete-source',
        why: `asset ready for over ${policy.sourceRetentionDays} days`,
      });
    }
  }
  return actions;
}
