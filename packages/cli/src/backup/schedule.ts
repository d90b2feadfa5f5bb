import { existsSync } from 'node:fs';
import type { Logger, Settings } from '@marquee/core';
import type { BlobStore } from '@marquee/platform';
import { listBackups, pruneBackups, readManifest } from './catalogue.js';
import { backupIntervalMs } from '@marquee/platform';
import { backupTime } from './manifest.js';
import type { BackupMetrics } from './metrics.js';
import { takeBackup } from './take-backup.js';
import { testRestore } from './restore-test.js';
import { newestRestoreTest, openBackupTarget, targetLocation, type BackupTarget } from '@marquee/platform';

/** A fresh install gets its first backup this soon (or after one interval, when that is shorter). */
const FIRST_BACKUP_MS = 5 * 60_000;

export interface BackupSchedule {
  /** Takes a backup now (the scheduled one waits for it); resolves with its id. */
  runNow(): Promise<string>;
  stop(): Promise<void>;
}

export interface ScheduleDeps {
  settings: Settings;
  dataDir: string;
  blobs: BlobStore;
  logger: Logger;
  metrics: BackupMetrics;
  /** The target (tests); by default opened from BACKUP_TARGET. */
  openTarget?: () => Promise<BackupTarget>;
}

/**
 * Automatic backups in monolithic mode: every BACKUP_INTERVAL, timed from the newest backup already
 * in the target (a restart does not postpone one that is due), then pruning to BACKUP_RETENTION,
 * then (unless BACKUP_RESTORE_TEST=false) a restore test of the new backup.
 * A failed backup is logged and counted, and the next one comes one interval later.
 */
export async function startBackupSchedule(deps: ScheduleDeps): Promise<BackupSchedule | undefined> {
  const { settings, logger, metrics } = deps;
  const intervalMs = backupIntervalMs(settings.BACKUP_INTERVAL);
  if (intervalMs === undefined) {
    logger.info('automatic backups are off (BACKUP_INTERVAL=off)');
    return undefined;
  }
  metrics.interval.set(intervalMs / 1000);
  const openTarget = deps.openTarget ?? (() => openBackupTarget(settings));
  // A directory target that does not exist yet holds no backup: it is created by the first one, so a
  // platform started and stopped before its first backup leaves nothing behind.
  let target: BackupTarget | undefined;
  const location = deps.openTarget ? undefined : targetLocation(settings);
  const description = location && 'dir' in location ? location.dir : undefined;
  if (!description || existsSync(description)) target = await openTarget();
  const newestId = target ? (await listBackups(target)).finished.at(-1) : undefined;
  const newest = newestId ? backupTime(newestId) : undefined;
  metrics.noteNewest(newest);
  if (target && newestId) {
    const { stats } = await readManifest(target, newestId);
    metrics.lastSize.set(stats.totalBytes);
    metrics.lastDuration.set(stats.durationMs / 1000);
    const tested = await newestRestoreTest(target);
    if (tested) metrics.noteRestoreTest(tested);
  }

  const aborter = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<string> | undefined;

  const runOnce = async (): Promise<string> => {
    target ??= await openTarget();
    const outcome = await takeBackup(
      {
        dataDir: deps.dataDir,
        blobs: deps.blobs,
        ...(settings.DATABASE_URL ? { databaseUrl: settings.DATABASE_URL } : {}),
      },
      target,
      { signal: aborter.signal },
    );
    const { manifest, corrupt } = outcome;
    metrics.noteNewest(new Date(manifest.startedAt));
    metrics.lastSize.set(manifest.stats.totalBytes);
    metrics.lastDuration.set(manifest.stats.durationMs / 1000);
    metrics.runs.inc({ outcome: corrupt.length > 0 ? 'corrupt-blobs' : 'ok' });
    if (corrupt.length > 0)
      logger.error({ backup: manifest.id, corrupt }, 'backup left out blobs that fail their SHA-256');
    const pruned = await pruneBackups(target, settings.BACKUP_RETENTION, new Date());
    logger.info(
      {
        backup: manifest.id,
        target: target.description,
        ms: manifest.stats.durationMs,
        bytesCopied: manifest.stats.bytesCopied,
        pruned: pruned.removedBackups,
      },
      'backup taken',
    );
    if (settings.BACKUP_RESTORE_TEST) await restoreTestOf(target, manifest.id);
    return manifest.id;
  };

  // The backup just taken is the one a restore would use: it is tested at once, so a failure shows
  // while the previous, tested backup is still kept (see docs/operations.md, "Restore tests").
  const restoreTestOf = async (on: BackupTarget, id: string): Promise<void> => {
    const record = await testRestore(on, id, {
      ...(settings.DATABASE_URL ? { databaseUrl: settings.DATABASE_URL } : {}),
    });
    metrics.noteRestoreTest(record);
    metrics.restoreTests.inc({ outcome: record.ok ? 'passed' : 'failed' });
    if (record.ok) {
      logger.info(
        { backup: id, ms: record.durationMs, checksums: record.checksumsVerified },
        'restore test passed',
      );
    } else {
      logger.error({ backup: id, problems: record.problems }, 'restore test FAILED');
    }
  };

  const schedule = (delayMs: number) => {
    if (aborter.signal.aborted) return;
    timer = setTimeout(() => {
      void runNow()
        .catch((err: unknown) => {
          if (aborter.signal.aborted) return;
          metrics.runs.inc({ outcome: 'failed' });
          logger.error({ err, target: target?.description ?? description }, 'scheduled backup failed');
        })
        .finally(() => schedule(intervalMs));
    }, delayMs);
    timer.unref();
  };

  const runNow = (): Promise<string> => {
    running ??= runOnce().finally(() => (running = undefined));
    return running;
  };

  const due = newest ? newest.getTime() + intervalMs - Date.now() : Math.min(intervalMs, FIRST_BACKUP_MS);
  schedule(Math.max(0, due));
  logger.info(
    {
      target: target?.description ?? description,
      every: settings.BACKUP_INTERVAL,
      keep: settings.BACKUP_RETENTION,
    },
    'automatic backups on',
  );

  return {
    runNow,
    async stop() {
      clearTimeout(timer);
      aborter.abort();
      await running?.catch(() => undefined);
      await target?.close();
    },
  };
}
