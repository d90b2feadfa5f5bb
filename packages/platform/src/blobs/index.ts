export type { BlobInfo, BlobRead, BlobStore, ByteRange } from './port.js';
export type { S3BlobOptions } from './s3.js';
export type { FilesystemBlobOptions } from './filesystem.js';
export {
  BlobKeyConflictError,
  BlobStoreUnavailableError,
  CorruptBlobError,
  InvalidKeyError,
  RangeNotSatisfiableError,
} from './errors.js';
export { compareKeys, keyProblem, validateKey, validatePrefix } from './keys.js';
export { readWholeBlob } from './read-whole.js';
export { repairFromCopy, type GoodCopies, type RepairOutcome } from './repair.js';

export {
  openBlobStore,
  openPlatformBlobStore,
  s3OptionsFromSettings,
  type BlobStoreOptions,
} from './open.js';
export {
  backupCopies,
  defaultTargetDir,
  openBackupTarget,
  targetKeys,
  targetLocation,
  withPrefix,
  type BackupTarget,
  type TargetLocation,
} from './backup-target.js';
export { backupIntervalMs } from './backup-interval.js';
export {
  finishedBackupIds,
  newestRestoreTest,
  readBackupStatus,
  readRestoreTest,
  writeRestoreTest,
} from './backup-status.js';
