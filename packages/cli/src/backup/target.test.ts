import { describe, expect, it } from 'vitest';
import { backupIntervalMs } from '@marquee/platform';
import { backupTime, newBackupId } from './manifest.js';
import { defaultTargetDir, targetKeys, targetLocation } from '@marquee/platform';

describe('backup settings', () => {
  it('reads BACKUP_INTERVAL as a duration, off as none', () => {
    expect(backupIntervalMs('90s')).toBe(90_000);
    expect(backupIntervalMs('1.5h')).toBe(5_400_000);
    expect(backupIntervalMs('1d')).toBe(86_400_000);
    expect(backupIntervalMs('off')).toBeUndefined();
    expect(backupIntervalMs('0')).toBeUndefined();
    expect(() => backupIntervalMs('5 minutes')).toThrow(/BACKUP_INTERVAL/);
  });

  it('puts backups beside the data directory unless BACKUP_TARGET says otherwise', () => {
    expect(defaultTargetDir('/srv/marquee/data')).toBe('/srv/marquee/data-backups');
    expect(defaultTargetDir('/srv/marquee/data/')).toBe('/srv/marquee/data-backups');
    expect(targetLocation({ MARQUEE_DATA_DIR: '/d', BACKUP_TARGET: undefined })).toEqual({
      dir: '/d-backups',
    });
    expect(targetLocation({ MARQUEE_DATA_DIR: '/d', BACKUP_TARGET: '/mnt/usb/marquee' })).toEqual({
      dir: '/mnt/usb/marquee',
    });
    expect(targetLocation({ MARQUEE_DATA_DIR: '/d', BACKUP_TARGET: 's3://backups' })).toEqual({
      bucket: 'backups',
      prefix: '',
    });
    expect(targetLocation({ MARQUEE_DATA_DIR: '/d', BACKUP_TARGET: 's3://backups/site-a/' })).toEqual({
      bucket: 'backups',
      prefix: 'site-a/',
    });
    expect(() => targetLocation({ MARQUEE_DATA_DIR: '/d', BACKUP_TARGET: 's3://A_B' })).toThrow(
      /BACKUP_TARGET/,
    );
  });

  it('names backups so they sort by time, and stores content by hash', () => {
    const id = newBackupId(new Date('2026-12-06T11:13:42.123Z'), 'a1b2');
    expect(id).toBe('20261206-111342-a1b2');
    expect(backupTime(id).toISOString()).toBe('2026-12-06T11:13:42.000Z');
    expect(targetKeys.content('ab'.repeat(32))).toBe(`content/sha256/ab/${'ab'.repeat(32)}`);
  });
});
