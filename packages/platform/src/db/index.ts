import { ValidationError } from '@marquee/core';
import type { Database, DatabaseOptions } from './port.js';
import { openPostgresDatabase } from './postgres.js';
import { openSqliteDatabase } from './sqlite.js';

export type { Database, DatabaseOptions, Dialect } from './port.js';
export { DatabaseUnavailableError, MigrationError } from './errors.js';
export { flagColumn, instantColumn, jsonColumn } from './columns.js';

/** Which adapter a URL selects: none → SQLite files, postgres:// or postgresql:// → PostgreSQL. */
export function databaseDialectOf(url: string | undefined): 'sqlite' | 'postgres' {
  if (url === undefined) return 'sqlite';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  // Only the scheme is echoed: the rest of the URL may carry a password.
  throw new ValidationError(
    `unsupported database URL scheme ${JSON.stringify(scheme ?? '(none)')}: use postgres:// or postgresql://, or no URL for SQLite`,
  );
}

/**
 * Opens a service's own database, chosen by `options.url` (see DatabaseOptions). Throws
 * DatabaseUnavailableError, naming the host and the reason, when the server cannot be reached.
 *
 * @example
 *   const db = await openDatabase<UsersTables>({ service: 'users', url: settings.DATABASE_URL, dataDir });
 */
export async function openDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  return databaseDialectOf(options.url) === 'postgres'
    ? openPostgresDatabase<DB>(options)
    : openSqliteDatabase<DB>(options);
}
