import type { Logger, ServiceName, Settings } from '@marquee/core';
import type { BlobStore } from './blobs/port.js';
import type { Cache } from './cache/port.js';
import type { Database } from './db/port.js';
import type { EventBus } from './events/port.js';

/**
 * What the composition root hands every service: validated settings, its logger, the shared ports and
 * where the other services are. A service takes what it needs from here and depends on nothing else.
 */
export interface ServiceContext {
  settings: Settings;
  logger: Logger;
  /** Root secret: service token and media-token keys are derived from it. */
  secret: string;
  cache: Cache;
  bus: EventBus;
  blobs: BlobStore;
  /** Opens this service's own database (its SQLite file or PostgreSQL schema). */
  openDb: <DB>(service: ServiceName) => Promise<Database<DB>>;
  /** Base URLs of each service's instances (loopback ports in monolithic mode). */
  urls: Record<ServiceName, string[]>;
  /** Absolute data directory (SQLite files, keys, scratch space). */
  dataDir: string;
}
