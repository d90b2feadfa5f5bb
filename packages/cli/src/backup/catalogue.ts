import { NotFoundError } from '@marquee/core';
import { readWholeBlob } from '@marquee/platform';
import { backupTime, parseManifest, type Manifest } from './manifest.js';
import { targetKeys, type BackupTarget } from '@marquee/platform';

/** An unfinished backup younger than this may still be running: its content is not collected. */
const IN_PROGRESS_GRACE_MS = 6 * 3_600_000;

export interface BackupListing {
  /** Finished backups, oldest first. */
  finished: string[];
  /** Started and never finished (crashed, or still running). */
  unfinished: string[];
}

export async function listBackups(target: BackupTarget): Promise<BackupListing> {
  const started = new Set<string>();
  const finished = new Set<string>();
  for await (const info of target.store.list(targetKeys.backupsFolder)) {
    const [, id, leaf] = info.key.split('/');
    if (!id) continue;
    if (leaf === 'manifest.json') finished.add(id);
    else started.add(id);
  }
  return {
    finished: [...finished].sort(),
    unfinished: [...started].filter((id) => !finished.has(id)).sort(),
  };
}

export async function readManifest(target: BackupTarget, id: string): Promise<Manifest> {
  try {
    return parseManifest(id, await readWholeBlob(target.store, targetKeys.manifest(id)));
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError('backup', `${id} in ${target.description}`);
    throw error;
  }
}

/** `latest` or an id; the newest finished backup for `latest`. */
export async function resolveBackupId(target: BackupTarget, wanted: string): Promise<string> {
  if (wanted !== 'latest') return wanted;
  const newest = (await listBackups(target)).finished.at(-1);
  if (!newest) throw new NotFoundError('backup', `any finished backup in ${target.description}`);
  return newest;
}

export interface PruneResult {
  removedBackups: string[];
  removedContent: number;
}

async function deleteFolder(target: BackupTarget, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const info of target.store.list(prefix)) keys.push(info.key);
  for (const key of keys) await target.store.delete(key);
}

/**
 * Keeps the newest `keep` finished backups; removes older ones, unfinished ones past the grace period,
 * and then the content objects no kept backup lists. Content collection is skipped while a backup may
 * be running (an unfinished one younger than the grace period), whose content is not listed yet.
 */
export async function pruneBackups(target: BackupTarget, keep: number, now: Date): Promise<PruneResult> {
  const { finished, unfinished } = await listBackups(target);
  const doomed = finished.slice(0, Math.max(0, finished.length - keep));
  const stale = unfinished.filter((id) => now.getTime() - backupTime(id).getTime() > IN_PROGRESS_GRACE_MS);
  for (const id of [...doomed, ...stale]) await deleteFolder(target, targetKeys.backupFolder(id));
  const running = unfinished.filter((id) => !stale.includes(id));
  if (running.length > 0) return { removedBackups: [...doomed, ...stale], removedContent: 0 };

  const referenced = new Set<string>();
  for (const id of finished.slice(doomed.length)) {
    for (const blob of (await readManifest(target, id)).blobs) referenced.add(blob.sha256);
  }
  const unreferenced: string[] = [];
  for await (const info of target.store.list(targetKeys.contentFolder)) {
    const sha = info.key.split('/').at(-1) ?? '';
    if (!referenced.has(sha)) unreferenced.push(info.key);
  }
  for (const key of unreferenced) await target.store.delete(key);
  return { removedBackups: [...doomed, ...stale], removedContent: unreferenced.length };
}
