import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, ServiceName, Settings } from '@marquee/core';
import { ConfigError, cacheUrlOf } from '@marquee/core';
import {
  openPlatformBlobStore,
  cacheKindOf,
  openCache,
  openDatabase,
  openEventBus,
  type BlobStore,
  type Cache,
  type Database,
  type EventBus,
} from '@marquee/platform';

export interface Backends {
  cache: Cache;
  bus: EventBus;
  blobs: BlobStore;
  openDb: <DB>(service: ServiceName) => Promise<Database<DB>>;
  close(): Promise<void>;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Opens the adapters the settings select, all at once, and turns every failure into one ConfigError
 * that names the setting responsible ("DATABASE_URL: cannot connect to nowhere:5432 …").
 */
export async function openBackends(settings: Settings, dataDir: string, logger: Logger): Promise<Backends> {
  await mkdir(dataDir, { recursive: true });
  const problems: string[] = [];
  const opened: { close(): Promise<void> }[] = [];
  const attempt = async <T extends { close(): Promise<void> }>(key: string, open: () => Promise<T>) => {
    try {
      const value = await open();
      opened.push(value);
      return value;
    } catch (err) {
      problems.push(`${key}: ${(err as Error).message}`);
      return undefined;
    }
  };

  const cacheServer = cacheUrlOf(settings);
  const [cache, bus, blobs, dbProbe] = await Promise.all([
    attempt(cacheServer?.setting ?? 'cache', () =>
      openCache({ url: cacheServer?.url, prefix: settings.REDIS_PREFIX, logger }),
    ),
    attempt(settings.NATS_URL ? 'NATS_URL' : 'MARQUEE_DATA_DIR', () =>
      openEventBus({
        natsUrl: settings.NATS_URL,
        stream: settings.NATS_STREAM,
        subjectPrefix: settings.NATS_SUBJECT_PREFIX,
        sqlitePath: join(dataDir, 'events.sqlite'),
        logger,
      }),
    ),
    attempt(settings.S3_BUCKET ? 'S3_ENDPOINT' : 'MARQUEE_DATA_DIR', () =>
      openPlatformBlobStore(settings, dataDir),
    ),
    // Probe the primary (and replica) once so a bad DATABASE_URL is reported with the others at start.
    settings.DATABASE_URL
      ? attempt('DATABASE_URL', () =>
          openDatabase({
            service: 'storage',
            url: settings.DATABASE_URL,
            readUrl: settings.DATABASE_READ_URL,
          }),
        )
      : Promise.resolve(undefined),
  ]);
  if (dbProbe) {
    opened.splice(opened.indexOf(dbProbe), 1);
    await dbProbe.close();
  }
  if (problems.length > 0 || !cache || !bus || !blobs) {
    await Promise.allSettled(opened.map((o) => o.close()));
    throw new ConfigError(
      problems.map((p) => p.replace(/\s+/g, ' ').replace(/password=[^ ]+/gi, 'password=***')),
    );
  }
  logger.info(
    {
      db: settings.DATABASE_URL ? `postgres ${hostOf(settings.DATABASE_URL)}` : 'sqlite',
      cache: cacheServer ? `${cacheKindOf(cacheServer.url)} ${hostOf(cacheServer.url)}` : 'memory',
      events: settings.NATS_URL ? `nats ${hostOf(settings.NATS_URL)}` : 'embedded',
      blobs: settings.S3_BUCKET ? `s3 ${settings.S3_BUCKET}` : 'filesystem',
    },
    'backends ready',
  );
  const databases: Database<unknown>[] = [];
  return {
    cache,
    bus,
    blobs,
    openDb: async <DB>(service: ServiceName) => {
      const db = await openDatabase<DB>({
        service,
        url: settings.DATABASE_URL,
        readUrl: settings.DATABASE_READ_URL,
        dataDir,
      });
      databases.push(db as Database<unknown>);
      return db;
    },
    async close() {
      await Promise.allSettled([
        bus.close(),
        cache.close(),
        blobs.close(),
        ...databases.map((d) => d.close()),
      ]);
    },
  };
}
