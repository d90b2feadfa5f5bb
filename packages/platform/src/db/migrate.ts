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
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's PostgreSQL introspection (which the migrator uses to find its own tables) resolves every
  // table of EVERY schema by name; another schema dropped during that scan fails it with 3F000 naming
  // that schema, although nothing of ours changed (seen when tests drop their schemas side by side).
  // Nothing was applied (one transaction), so trying again is safe.
  for (let retry = 0; retry < 3 && droppedElsewhere(error, schema); retry++)
    ({ error, results } = await migrator.migrateToLatest());
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(service, failed, describeCause(error));
  }
}

/** "schema … does not exist" (SQLSTATE 3F000) about a schema other than the one being migrated. */
export function droppedElsewhere(error: unknown, schema: string | undefined): boolean {
  if (schema === undefined || typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '3F000' && typeof message === 'string' && !message.includes(`"${schema}"`);
}
