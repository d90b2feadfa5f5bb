import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { describeCause, safeEndpoint } from '../connection-errors.js';
import { assembleDatabase } from './database.js';
import { DatabaseUnavailableError } from './errors.js';
import type { Database, DatabaseOptions } from './port.js';
import { pgValueParsers } from './pg-values.js';
import { assertServiceName } from './service-name.js';

const DEFAULT_POOL_SIZE = 10;
/** A bad host must fail the start in seconds, not hang it on the OS connect timeout. */
const CONNECT_TIMEOUT_MS = 5_000;
const UNIQUE_VIOLATION = '23505';

/**
 * The startup `options` that pin every pooled connection's search_path to the service's schema, so
 * unqualified table names resolve there and nowhere else. Options already in the URL are kept.
 */
export function searchPathOptions(url: string, schema: string): string {
  let fromUrl = '';
  try {
    fromUrl = new URL(url).searchParams.get('options') ?? '';
  } catch {
    // An unparseable URL is reported by the connection attempt itself.
  }
  return `${fromUrl} -c search_path=${schema}`.trim();
}

function createPool(url: string, schema: string, poolSize: number): pg.Pool {
  const pool = new pg.Pool({
    // pg lets a connection string's own parameters override the config's, so the URL's `options` is
    // folded into ours and removed from the URL, keeping the search_path in force.
    connectionString: withoutOptionsParam(url),
    options: searchPathOptions(url, schema),
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: pgValueParsers,
  });
  // An idle client losing its server (restart, failover) emits 'error' on the pool; without a listener
  // that would crash the process. The pool has already discarded the client and the next query
  // reconnects, so there is nothing else to do here.
  pool.on('error', () => undefined);
  return pool;
}

function withoutOptionsParam(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.searchParams.has('options')) return url;
    parsed.searchParams.delete('options');
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * Opens the service's PostgreSQL schema (created when missing) on a pool for `write` and, with
 * `readUrl`, a second pool on the replica for `read`. Both pools are checked at open so a bad URL
 * fails the start with the host and the reason.
 */
export async function openPostgresDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  const schema = assertServiceName(options.service);
  if (options.url === undefined) throw new TypeError('openPostgresDatabase needs options.url');
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  const write = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: createPool(options.url, schema, poolSize) }),
  });
  const read =
    options.readUrl === undefined
      ? write
      : new Kysely<DB>({
          dialect: new PostgresDialect({ pool: createPool(options.readUrl, schema, poolSize) }),
        });
  const database = assembleDatabase({
    dialect: 'postgres',
    service: schema,
    write,
    read,
    migrationSchema: schema,
  });

  // Both servers answer before anything is created, so a bad replica URL leaves no schema behind.
  const fail = async (error: unknown, setting: 'url' | 'readUrl') => {
    await database.close();
    const where =
      setting === 'url'
        ? `PostgreSQL at ${safeEndpoint(options.url ?? '')}`
        : `the PostgreSQL read replica at ${safeEndpoint(options.readUrl ?? '')}`;
    return new DatabaseUnavailableError(where, describeCause(error), setting);
  };
  await sql`select 1`.execute(write).catch(async (error: unknown) => {
    throw await fail(error, 'url');
  });
  if (read !== write) {
    await sql`select 1`.execute(read).catch(async (error: unknown) => {
      throw await fail(error, 'readUrl');
    });
  }
  await createSchema(write, schema).catch(async (error: unknown) => {
    throw await fail(error, 'url');
  });
  return database;
}

async function createSchema<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  // Look first: PostgreSQL checks the CREATE privilege before IF NOT EXISTS, so a role given a
  // pre-made schema but no right to create one would otherwise fail here.
  const { rows } = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db);
  if (rows.length > 0) return;
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    // Two instances starting together can both pass the IF NOT EXISTS check; the loser's unique
    // violation means the schema now exists, which is all we wanted.
    if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
  }
}
