import { existsSync } from 'node:fs';
import type { Logger, Settings } from '@marquee/core';
import { openBackupTarget, targetLocation, type BackupTarget } from '@marquee/platform';

/**
 * The backup target, when this install has one: BACKUP_TARGET names it, or backups were written to the
 * default folder beside the data directory. Undefined (nothing to repair from) otherwise, or when it
 * cannot be opened — the scrub still reports what is corrupt.
 */
export async function openBackupTargetIfAny(
  settings: Settings,
  logger: Logger,
): Promise<BackupTarget | undefined> {
  const location = targetLocation(settings);
  if ('dir' in location && !existsSync(location.dir)) return undefined;
  try {
    return await openBackupTarget(settings);
  } catch (err) {
    logger.warn({ err }, 'backup target unavailable: corrupt objects cannot be repaired this run');
    return undefined;
  }
}
