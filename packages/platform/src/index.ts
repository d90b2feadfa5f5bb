export type * from './blobs/port.js';
export type * from './cache/port.js';
export type * from './db/port.js';
export type * from './events/port.js';
export type * from './context.js';
export * from './testing/backends.js';
export {
  openDatabase,
  databaseDialectOf,
  DatabaseUnavailableError,
  MigrationError,
  instantColumn,
  jsonColumn,
  flagColumn,
} from './db/index.js';
export { openTestDatabase, type TestDatabaseOptions } from './testing/database.js';
export {
  openCache,
  cacheKindOf,
  CacheContentionError,
  CacheUnavailableError,
  NotACounterError,
  takeReplicaLease,
  Memo,
  type MemoOptions,
  type CacheKind,
  type CacheOptions,
  type ReplicaLease,
  type ReplicaLeaseOptions,
} from './cache/index.js';
export { openTestCache, severableCache } from './testing/cache.js';
export { startMemcached, memcachedInstalled, type RunningMemcached } from './testing/memcached.js';
export { startRedisServer, type RunningRedisServer } from './testing/redis-server.js';
export {
  startReplicaPair,
  replicaAvailable,
  replicaToolsInstalled,
  type ReplicaPair,
} from './testing/postgres-replica.js';
export * from './testing/context.js';
export {
  openEventBus,
  EventBusUnavailableError,
  EventLeaseLostError,
  registerEventType,
  registerCatalogue,
  validateEvent,
  buildEnvelope,
  CloudEventSchema,
  eventCatalogue,
  enqueue,
  outboxMigrations,
  startOutboxRelay,
  type EventBusOptions,
  type CatalogueEventType,
  type EventData,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxTables,
} from './events/index.js';
export {
  openBlobStore,
  openPlatformBlobStore,
  s3OptionsFromSettings,
  InvalidKeyError,
  RangeNotSatisfiableError,
  BlobKeyConflictError,
  BlobStoreUnavailableError,
  CorruptBlobError,
  validateKey,
  validatePrefix,
  keyProblem,
  compareKeys,
  readWholeBlob,
  repairFromCopy,
  backupCopies,
  defaultTargetDir,
  openBackupTarget,
  targetKeys,
  targetLocation,
  withPrefix,
  backupIntervalMs,
  finishedBackupIds,
  newestRestoreTest,
  readBackupStatus,
  readRestoreTest,
  writeRestoreTest,
  type BackupTarget,
  type TargetLocation,
  type GoodCopies,
  type RepairOutcome,
  type BlobStoreOptions,
  type FilesystemBlobOptions,
  type S3BlobOptions,
} from './blobs/index.js';
export { startS3rver, type RunningS3rver } from './testing/s3rver.js';
