// `@marquee/platform/testing`: what tests (and benches, and the `marquee cluster` rig) use to stand the
// ports up — the backends a contract suite runs against, fresh databases and caches, whole service
// contexts on the embedded adapters, and private servers (memcached, redis-server, a PostgreSQL replica
// pair, s3rver). Production code imports `@marquee/platform`, which exports none of this.
export * from './backends.js';
export { openTestDatabase, type TestDatabaseOptions } from './database.js';
export { openTestCache, severableCache } from './cache.js';
export { startMemcached, memcachedInstalled, type RunningMemcached } from './memcached.js';
export { startRedisServer, type RunningRedisServer } from './redis-server.js';
export {
  startReplicaPair,
  replicaAvailable,
  replicaToolsInstalled,
  type ReplicaPair,
} from './postgres-replica.js';
export * from './context.js';
export { startS3rver, type RunningS3rver } from './s3rver.js';
