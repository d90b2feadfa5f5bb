import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';
import { ValidationError } from '@marquee/core';
import { describeCause } from '../connection-errors.js';
import { assembleDatabase } from './database.js';
import { DatabaseUnavailableError } from './errors.js';
import type { Database, DatabaseOptions } from './port.js';
import { assertServiceName } from './service-name.js';
import { withStatementCache } from './statement-cache.js';

/** How long a writer waits for another process's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/** SQLite does transactional DDL; Kysely's adapter says otherwise only to stay conservative. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class MarqueeSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** `${dataDir}/${service}.sqlite`, or an in-memory database when dataDir is ':memory:'. */
export function sqliteFileOf(service: string, dataDir: string): string {
  return dataDir === ':memory:' ? ':memory:' : join(dataDir, `${service}.sqlite`);
}

/**
 * Opens the service's SQLite file (created with its directory when missing). One connection serves both
 * `read` and `write`: better-sqlite3 is synchronous, so a second connection would add no concurrency.
 */
export async function openSqliteDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  const service = assertServiceName(options.service);
  if (options.dataDir === undefined || options.dataDir === '') {
    throw new ValidationError(`SQLite database of ${service} needs a dataDir (or ':memory:')`, { service });
  }
  const file = sqliteFileOf(service, options.dataDir);
  let sqlite: SqliteDriver.Database | undefined;
  try {
    if (file !== ':memory:') await mkdir(options.dataDir, { recursive: true });
    sqlite = new SqliteDriver(file);
    // WAL: readers never block the writer. NORMAL is durable in WAL mode except for the last
    // transactions on power loss, never corrupting. Foreign keys are off by default in SQLite.
    // The first pragma is also the first read of the file: a file that is not a database fails here.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
  } catch (error) {
    sqlite?.close();
    throw new DatabaseUnavailableError(`SQLite file ${file}`, describeCause(error), 'dataDir');
  }
  const db = new Kysely<DB>({ dialect: new MarqueeSqliteDialect({ database: withStatementCache(sqlite) }) });
  return assembleDatabase({ dialect: 'sqlite', service, write: db, read: db, migrationSchema: undefined });
}
