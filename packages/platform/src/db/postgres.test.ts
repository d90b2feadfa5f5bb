import { sql, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { backendAvailable, testUrls, uniqueName } from '../testing/backends.js';
import { openTestDatabase } from '../testing/database.js';
import { parseInt8 } from './pg-values.js';
import type { Database } from './port.js';
import { openPostgresDatabase, searchPathOptions } from './postgres.js';

describe('searchPathOptions / parseInt8', () => {
  it('pins the search_path and keeps options already in the URL', () => {
    expect(searchPathOptions('postgres://h/db', 'users')).toBe('-c search_path=users');
    expect(searchPathOptions('postgres://h/db?options=-c%20statement_timeout%3D5s', 'users')).toBe(
      '-c statement_timeout=5s -c search_path=users',
    );
  });

  it('parses bigints exactly or not at all', () => {
    expect(parseInt8('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseInt8('-42')).toBe(-42);
    expect(() => parseInt8('9007199254740993')).toThrow(RangeError);
  });
});

describe.runIf(await backendAvailable('postgres'))('PostgreSQL adapter', () => {
  const opened: Database<unknown>[] = [];
  const schemas: string[] = [];
  afterEach(async () => {
    const [first] = opened;
    if (first !== undefined) {
      for (const schema of schemas.splice(0))
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(first.write);
    }
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });
  const open = async (url = testUrls.postgres, service = uniqueName('pgtest')) => {
    schemas.push(service);
    const db = await openPostgresDatabase<unknown>({ service, url });
    opened.push(db);
    return db;
  };

  it('returns bigint and numeric as numbers, and refuses a bigint a number cannot hold', async () => {
    const db = await open();
    const { rows } = await sql<{ big: number; dec: number; n: number }>`
      select 9007199254740991::bigint as big, 12.50::numeric as dec, count(*) as n from generate_series(1, 3)`.execute(
      db.read,
    );
    expect(rows).toEqual([{ big: Number.MAX_SAFE_INTEGER, dec: 12.5, n: 3 }]);
    await expect(sql`select 9007199254740993::bigint as big`.execute(db.read)).rejects.toThrow(
      /does not fit/,
    );
    // The pool survives a parse failure.
    expect(await db.ping()).toBe(true);
  });

  it('puts unqualified tables in the service schema, through the primary and the read pool', async () => {
    const db = await openTestDatabase<{ t: { x: number } }>('postgres', { service: 'sp' });
    opened.push(db as Database<unknown>);
    await sql`create table t (x integer)`.execute(db.write);
    const { rows } = await sql<{ table_schema: string }>`
      select table_schema from information_schema.tables where table_name = 't' and table_schema = ${db.service}`.execute(
      db.read,
    );
    expect(rows).toEqual([{ table_schema: db.service }]);
    const paths = await Promise.all(
      [db.write, db.read].map((k) => sql<{ search_path: string }>`show search_path`.execute(k)),
    );
    expect(paths.map((p) => p.rows[0]?.search_path)).toEqual([db.service, db.service]);
    expect(db.read).not.toBe(db.write);
  });

  it('keeps connection options given in the URL', async () => {
    const db = await open(`${testUrls.postgres}?options=-c%20statement_timeout%3D1234`);
    const { rows } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(db.write);
    expect(rows[0]?.statement_timeout).toBe('1234ms');
  });

  it('lets instances of one service open and migrate concurrently: each migration runs once', async () => {
    const service = uniqueName('race');
    const instances = await Promise.all([1, 2, 3, 4].map(() => open(testUrls.postgres, service)));
    const migrations: Record<string, Migration> = {
      '001_runs': {
        async up(db) {
          await db.schema
            .createTable('runs')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .execute();
        },
      },
      '002_seed': {
        async up(db) {
          await db.insertInto('runs').values({ id: 'seed' }).execute();
        },
      },
    };
    await Promise.all(instances.map((db) => db.migrate(migrations)));
    const { rows } = await sql<{ n: number }>`select count(*) as n from runs`.execute(instances[0]!.read);
    expect(rows).toEqual([{ n: 1 }]);
  });
});
