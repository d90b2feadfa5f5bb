import type { FastifyInstance } from 'fastify';
import { BackupStatusSchema, type BackupStatus } from '@marquee/contracts';
import { requireAdmin, type Logger, type Settings } from '@marquee/core';
import { backupIntervalMs, readBackupStatus, targetLocation } from '@marquee/platform';
import { openBackupTargetIfAny } from '../jobs/backup-copies.js';

/**
 * GET /api/admin/backups: the newest backup, its age and size, and the last restore test, for the
 * admin console. Storage answers it because the backup target is read through the blobs port storage
 * already owns (and already opens for the scrubber's repairs), and because the target is the one record
 * of every backup and restore test, whichever process made them: the monolithic schedule, or
 * `marquee backup` / `marquee backup verify` run by a cron job beside a split install.
 */
export function registerBackupStatusRoute(app: FastifyInstance, settings: Settings, logger: Logger): void {
  const intervalMs = backupIntervalMs(settings.BACKUP_INTERVAL);
  const intervalSeconds = intervalMs === undefined ? null : intervalMs / 1000;
  app.get(
    '/api/admin/backups',
    {
      schema: {
        summary: 'The newest backup in BACKUP_TARGET (age, size) and the last restore test',
        tags: ['admin'],
        response: { 200: BackupStatusSchema },
      },
    },
    async (req): Promise<BackupStatus> => {
      requireAdmin(req);
      const target = await openBackupTargetIfAny(settings, logger);
      if (!target) {
        // No target yet: no backup has ever been written to the default folder.
        const location = targetLocation(settings);
        return {
          target: 'dir' in location ? location.dir : `s3://${location.bucket}/${location.prefix}`,
          intervalSeconds,
          backups: 0,
          newest: null,
          lastRestoreTest: null,
        };
      }
      try {
        return await readBackupStatus(target, { intervalSeconds });
      } finally {
        await target.close();
      }
    },
  );
}
