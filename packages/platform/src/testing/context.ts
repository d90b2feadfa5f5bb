import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  composeSettings,
  createLogger,
  loadSettings,
  settingsSchema,
  type ServiceName,
  type Settings,
  type SettingsFragment,
} from '@marquee/core';
import { openBlobStore } from '../blobs/index.js';
import { openCache } from '../cache/index.js';
import { openDatabase } from '../db/index.js';
import { openEventBus } from '../events/index.js';
import type { ServiceContext } from '../context.js';
import type { Database } from '../db/port.js';

export interface TestContext extends ServiceContext {
  /** Closes every port and removes the temporary data dir. */
  cleanup(): Promise<void>;
}

/**
 * A complete ServiceContext on the embedded adapters in a fresh temporary data dir, for service tests:
 * real SQLite, the real embedded event log, real files — nothing mocked.
 *
 * @example
 *   const ctx = await createTestContext({ urls: { streaming: [streamingUrl] } });
 *   const storage = await buildStorage(ctx);
 *   onTestFinished(() => ctx.cleanup());
 */
export async function createTestContext(
  options: {
    urls?: Partial<Record<ServiceName, string[]>>;
    settings?: Record<string, string>;
    /** Service settings fragments `settings` may set too (RECS_*: the recommender's recommenderSettings). */
    fragments?: readonly SettingsFragment[];
    secret?: string;
  } = {},
): Promise<TestContext> {
  const schema = composeSettings([settingsSchema.properties, ...(options.fragments ?? [])]);
  // loadSettings ignores keys it does not know, as the environment is full of them; a test's own
  // settings are not, and a service's setting given without its fragment would silently be its default.
  const unknown = Object.keys(options.settings ?? {}).filter((key) => !(key in schema.properties));
  if (unknown.length > 0) {
    throw new Error(
      `createTestContext: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not core settings: ` +
        "pass the service's settings fragment in `fragments` (e.g. edgeSettings for EDGE_*)",
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'marquee-ctx-'));
  const settings: Settings = loadSettings(
    { MARQUEE_DATA_DIR: dataDir, MARQUEE_DEMO: 'false', ...options.settings },
    schema,
  );
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const [cache, bus, blobs] = await Promise.all([
    openCache({ prefix: 'test:' }),
    openEventBus({ sqlitePath: join(dataDir, 'events.sqlite'), logger }),
    openBlobStore({ root: join(dataDir, 'blobs') }),
  ]);
  const databases: Database<unknown>[] = [];
  const none: string[] = [];
  return {
    settings,
    logger,
    secret: options.secret ?? 'test-secret-0123456789abcdef0123456789',
    cache,
    bus,
    blobs,
    dataDir,
    urls: {
      gateway: none,
      users: none,
      streaming: none,
      recommender: none,
      encoder: none,
      edge: none,
      storage: none,
      analytics: none,
      ...options.urls,
    },
    async openDb<DB>(service: ServiceName) {
      const db = await openDatabase<DB>({ service, dataDir });
      databases.push(db as Database<unknown>);
      return db;
    },
    async cleanup() {
      await bus.close();
      await Promise.allSettled([cache.close(), blobs.close(), ...databases.map((d) => d.close())]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
