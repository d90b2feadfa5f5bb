import { Migrator, type Kysely, type Migration } from 'kysely';
import { describeCause } from '../connection-errors.js';
import { MigrationError } from './errors.js';

/**
 * Applies the pending migrations of one service, in name order, each once. Kysely's migration table
 * lives in the service's own SQLite file or PostgreSQL schema, so services never see each other's
 * history. All pending migrations of one call run in ONE transaction on both dialects (the SQLite
 * dialect is told it supports transactional DDL, which SQLite does): a failure applies nothing.
 * Concurrent callers are serialised (PostgreSQL advisory lock; SQLite has a single connection).
 */
export async function migrateService(
  // Kysely's Migrator is written against Kysely<any>: the migration tables are not part of DB.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  service: string,
  migrations: Record<string, Migration>,
  schema: string | undefined,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(service, failed, describeCause(error));
  }
}
