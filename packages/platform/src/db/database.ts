import { sql, type Kysely } from 'kysely';
import { migrateService } from './migrate.js';
import type { Database, Dialect } from './port.js';

export interface DatabaseParts<DB> {
  dialect: Dialect;
  service: string;
  write: Kysely<DB>;
  read: Kysely<DB>;
  /** Where the migration tables live (the service's PostgreSQL schema); undefined on SQLite. */
  migrationSchema: string | undefined;
}

/** The dialect-agnostic half of an adapter: everything a Database does once its Kysely handles exist. */
export function assembleDatabase<DB>(parts: DatabaseParts<DB>): Database<DB> {
  const { dialect, service, write, read, migrationSchema } = parts;
  let closing: Promise<void> | undefined;
  return {
    dialect,
    service,
    write,
    read,
    migrate: (migrations) => migrateService(write, service, migrations, migrationSchema),
    transaction: (fn) => write.transaction().execute(fn),
    async ping() {
      try {
        await sql`select 1`.execute(write);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      // Idempotent: the composition root and a test's cleanup may both close.
      closing ??= Promise.all([write.destroy(), read === write ? undefined : read.destroy()]).then(
        () => undefined,
      );
      return closing;
    },
  };
}
