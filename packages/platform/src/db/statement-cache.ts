import type SqliteDriver from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { Memo } from '../cache/memo.js';

/** More distinct statements than any service's queries have shapes; the bound only guards memory. */
const DEFAULT_MAX_STATEMENTS = 500;

/**
 * The database as Kysely's SQLite driver sees it, with prepared statements kept by their SQL text.
 * Kysely prepares every query afresh, and better-sqlite3's prepare() compiles the SQL each time: on the
 * playback path that was a tenth of the process's busy time. Statements are reusable (SQLite re-prepares
 * one itself after a schema change), so the same SQL gets the same statement — unless that statement is
 * still busy iterating (a streamed query), when a fresh one is prepared for this call.
 */
export function withStatementCache(
  db: SqliteDriver.Database,
  maxStatements = DEFAULT_MAX_STATEMENTS,
): SqliteDatabase {
  let statements = new Memo<string, SqliteDriver.Statement>({ max: maxStatements });
  return {
    close: () => {
      statements = new Memo({ max: 0 });
      db.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const cached = statements.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = db.prepare(sql);
      if (!cached) statements.set(sql, statement);
      return statement;
    },
  };
}
