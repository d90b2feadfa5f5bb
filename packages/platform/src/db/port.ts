import type { Kysely, Migration, Transaction } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * A service's own database. `write` goes to the primary; `read` goes to the read replica when one is
 * configured (DATABASE_READ_URL), else to the primary. Each service sees only its own tables: its own
 * SQLite file, or its own PostgreSQL schema.
 *
 * @example
 *   const db = await openDatabase<UsersTables>({ service: 'users', dataDir: './data' });
 *   await db.migrate(usersMigrations);
 *   await db.write.insertInto('accounts').values(row).execute();
 */
export interface Database<DB> {
  readonly dialect: Dialect;
  readonly service: string;
  readonly write: Kysely<DB>;
  readonly read: Kysely<DB>;
  /** Applies the named migrations in name order; each runs once. */
  migrate(migrations: Record<string, Migration>): Promise<void>;
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /** True when the primary answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Service name: the SQLite file name, or the PostgreSQL schema. */
  service: string;
  /** postgres:// URL; when absent, SQLite under dataDir. */
  url?: string;
  /** Optional read-replica postgres:// URL, used by `read`. */
  readUrl?: string;
  /** Directory for SQLite files; ':memory:' for an in-memory database. */
  dataDir?: string;
  /** Pool size per PostgreSQL URL. */
  poolSize?: number;
}
