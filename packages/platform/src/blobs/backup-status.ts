import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { RestoreTestRecordSchema, type BackupStatus, type RestoreTestRecord } from '@marquee/contracts';
import { NotFoundError } from '@marquee/core';
import type { BackupTarget } from './backup-target.js';
import { targetKeys } from './backup-target.js';
import { readWholeBlob } from './read-whole.js';

/** The part of a backup's manifest the status needs; the CLI owns the full schema. */
const ManifestSummary = Type.Object({
  id: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  database: Type.String(),
  stats: Type.Object({ totalBytes: Type.Integer({ minimum: 0 }), durationMs: Type.Number() }),
});

/** Finished backups (those with a manifest) in the target, oldest first. */
export async function finishedBackupIds(target: Pick<BackupTarget, 'store'>): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of target.store.list(targetKeys.backupsFolder)) {
    const [, id, leaf] = info.key.split('/');
    if (id && leaf === 'manifest.json') ids.push(id);
  }
  return ids.sort();
}

async function readJson(target: Pick<BackupTarget, 'store'>, key: string): Promise<unknown> {
  try {
    return JSON.parse((await readWholeBlob(target.store, key)).toString('utf8')) as unknown;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** The restore test recorded beside backup `id`, if there is one and it is well formed. */
export async function readRestoreTest(
  target: Pick<BackupTarget, 'store'>,
  id: string,
): Promise<RestoreTestRecord | undefined> {
  const parsed = await readJson(target, targetKeys.restoreTest(id));
  return Value.Check(RestoreTestRecordSchema, parsed) ? parsed : undefined;
}

export async function writeRestoreTest(
  target: Pick<BackupTarget, 'store'>,
  record: RestoreTestRecord,
): Promise<void> {
  await target.store.put(targetKeys.restoreTest(record.backupId), JSON.stringify(record), {
    contentType: 'application/json',
  });
}

/** The newest restore test of any backup in the target (newest backup first), if any ran. */
export async function newestRestoreTest(
  target: Pick<BackupTarget, 'store'>,
  ids?: readonly string[],
): Promise<RestoreTestRecord | undefined> {
  for (const id of [...(ids ?? (await finishedBackupIds(target)))].reverse()) {
    const record = await readRestoreTest(target, id);
    if (record) return record;
  }
  return undefined;
}

/**
 * What the admin console shows about backups, read from the target itself: it is the one place every
 * backup and restore test is recorded, whichever process took or tested it (the monolithic schedule,
 * `marquee backup` from a cron job, an operator's shell).
 */
export async function readBackupStatus(
  target: BackupTarget,
  options: { intervalSeconds: number | null; now?: Date },
): Promise<BackupStatus> {
  const now = options.now ?? new Date();
  const ids = await finishedBackupIds(target);
  let newest: BackupStatus['newest'] = null;
  for (const id of [...ids].reverse()) {
    const summary = await readJson(target, targetKeys.manifest(id));
    if (!Value.Check(ManifestSummary, summary)) continue;
    newest = {
      id: summary.id,
      startedAt: summary.startedAt,
      finishedAt: summary.finishedAt,
      ageSeconds: Math.max(0, (now.getTime() - Date.parse(summary.startedAt)) / 1000),
      totalBytes: summary.stats.totalBytes,
      durationMs: summary.stats.durationMs,
      database: summary.database,
    };
    break;
  }
  return {
    target: target.description,
    intervalSeconds: options.intervalSeconds,
    backups: ids.length,
    newest,
    lastRestoreTest: (await newestRestoreTest(target, ids)) ?? null,
  };
}
