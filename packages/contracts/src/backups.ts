import { Type, type Static } from '@sinclair/typebox';

/**
 * The outcome of one restore test: a backup restored into a scratch place (a temporary data directory,
 * and a scratch PostgreSQL database for a PostgreSQL backup), every SHA-256 checked, the restored
 * databases opened and checked for consistency. Written by the CLI beside the backup it tested
 * (`backups/<id>/restore-test.json` in BACKUP_TARGET) and read by the storage service for the admin
 * console, so whoever ran it, the console and the metrics see the same record.
 */
export const RestoreTestRecordSchema = Type.Object({
  format: Type.Literal(1),
  backupId: Type.String(),
  /** When the test finished (ISO 8601). */
  testedAt: Type.String(),
  ok: Type.Boolean(),
  durationMs: Type.Number({ minimum: 0 }),
  /** Databases, files and blobs whose SHA-256 matched the manifest. */
  checksumsVerified: Type.Integer({ minimum: 0 }),
  /** Rows per table of each restored database: `{ users: { accounts: 12, … }, … }`. */
  rowCounts: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
  /** What failed, for people: a checksum, an integrity check, orphans found. Empty when ok. */
  problems: Type.Array(Type.String()),
});
export type RestoreTestRecord = Static<typeof RestoreTestRecordSchema>;

/** GET /api/admin/backups: what the admin console's backup panel shows. */
export const BackupStatusSchema = Type.Object({
  /** BACKUP_TARGET for people (a directory or an s3:// URL). */
  target: Type.String(),
  /** BACKUP_INTERVAL as seconds; null when the schedule is off. */
  intervalSeconds: Type.Union([Type.Number(), Type.Null()]),
  /** How many finished backups the target holds. */
  backups: Type.Integer({ minimum: 0 }),
  newest: Type.Union([
    Type.Object({
      id: Type.String(),
      startedAt: Type.String(),
      finishedAt: Type.String(),
      ageSeconds: Type.Number(),
      totalBytes: Type.Integer({ minimum: 0 }),
      durationMs: Type.Number(),
      database: Type.String(),
    }),
    Type.Null(),
  ]),
  /** The most recent restore test of any backup in the target; null when none has run. */
  lastRestoreTest: Type.Union([RestoreTestRecordSchema, Type.Null()]),
});
export type BackupStatus = Static<typeof BackupStatusSchema>;
