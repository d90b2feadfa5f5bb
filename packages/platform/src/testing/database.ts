import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../db/index.js';
import type { Database } from '../db/port.js';
import { testUrls, uniqueName } from './backends.js';

export interface TestDatabaseOptions {
  /** Prefix of the service name; on PostgreSQL a unique suffix is added, so tests never share a schema. */
  service?: string;
  /**
   * PostgreSQL only: the primary and the read replica to use (a ReplicaPair's URLs) instead of
   * testUrls.postgres for both.
   */
  servers?: { url: string; readUrl: string };
}

/**
 * A fresh, empty database for one test, removed on close().
 * - `embedded`: a SQLite file in a new temporary directory (a file, not ':memory:', so WAL and the
 *   pragmas are the production ones).
 * - `postgres`: a unique schema on testUrls.postgres, reached through a second pool as `read` (the
 *   replica path, pointed at the same server), dropped CASCADE on close.
 *
 * @example
 *   const db = await openTestDatabase<UsersTables>('embedded');
 *   onTestFinished(() => db.close());
 */
export async function openTestDatabase<DB>(
  backend: 'embedded' | 'postgres',
  options: TestDatabaseOptions = {},
): Promise<Database<DB>> {
  const prefix = options.service ?? 'test';
  if (backend === 'embedded') {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquee-db-'));
    const db = await openDatabase<DB>({ service: prefix, dataDir });
    return {
      ...db,
      async close() {
        await db.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const db = await openDatabase<DB>({
    service: uniqueName(prefix),
    url: options.servers?.url ?? testUrls.postgres,
    readUrl: options.servers?.readUrl ?? testUrls.postgres,
    poolSize: 4,
  });
  let closing: Promise<void> | undefined;
  return {
    ...db,
    close() {
      closing ??= (async () => {
        try {
          await dropSchema(() => sql`drop schema if exists ${sql.id(db.service)} cascade`.execute(db.write));
        } finally {
          await db.close();
        }
      })();
      return closing;
    },
  };
}

/**
 * Drops a test's schema, again after a deadlock: background work still running can hold a row lock
 * while the drop takes its tables one by one, and PostgreSQL then aborts one of the two (40P01). The
 * other finishes; the next try succeeds. Services' stop() now waits for their background work (core's
 * BackgroundWork; users' mail after a sign-up was the case seen), so this is a guard for what a test
 * leaves running outside a service — an event handler past its ack timeout, which a consumer's stop()
 * does not wait for, or a test's own unawaited call.
 */
async function dropSchema(drop: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await drop();
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}
