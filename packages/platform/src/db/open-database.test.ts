import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { backendAvailable, testUrls, uniqueName } from '../testing/backends.js';
import { DatabaseUnavailableError, databaseDialectOf, openDatabase } from './index.js';

describe('databaseDialectOf', () => {
  it('selects SQLite without a URL and PostgreSQL for postgres:// and postgresql://', () => {
    expect(databaseDialectOf(undefined)).toBe('sqlite');
    expect(databaseDialectOf('postgres://u@h/db')).toBe('postgres');
    expect(databaseDialectOf('PostgreSQL://u@h/db')).toBe('postgres');
  });

  it('refuses other schemes without echoing the URL', () => {
    expect(() => databaseDialectOf('mysql://root:hunter2@h/db')).toThrow(/"mysql".*postgres:\/\//);
    let message = '';
    try {
      databaseDialectOf('mysql://root:hunter2@h/db');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain('hunter2');
  });
});

const withPostgres = await backendAvailable('postgres');

describe('openDatabase failures', () => {
  it('names the host and the reason, never the password, when PostgreSQL is unreachable', async () => {
    const failure = openDatabase({ service: 'users', url: 'postgres://postgres:hunter2@127.0.0.1:1/test' });
    await expect(failure).rejects.toThrow(DatabaseUnavailableError);
    const error = (await failure.catch((e: unknown) => e)) as DatabaseUnavailableError;
    expect(error.message).toMatch(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(error.message).not.toContain('hunter2');
    expect(error.code).toBe('db.unavailable');
  });

  it.runIf(withPostgres)('names the replica when only the read URL fails, and creates nothing', async () => {
    const service = uniqueName('replica');
    const failure = openDatabase({
      service,
      url: testUrls.postgres,
      readUrl: 'postgresql://ro:hunter2@127.0.0.1:1/test',
    });
    const error = (await failure.catch((e: unknown) => e)) as DatabaseUnavailableError;
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toMatch(
      /^cannot connect to the PostgreSQL read replica at 127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    expect(error.details).toMatchObject({ setting: 'readUrl' });
    expect(error.message).not.toContain('hunter2');
    const client = new pg.Client({ connectionString: testUrls.postgres });
    await client.connect();
    try {
      const { rowCount } = await client.query('select 1 from pg_namespace where nspname = $1', [service]);
      expect(rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });

  it.runIf(withPostgres)('reports a database the server does not have', async () => {
    const url = new URL(testUrls.postgres);
    url.pathname = '/no_such_database_here';
    await expect(openDatabase({ service: 'users', url: url.toString() })).rejects.toThrow(
      /cannot connect to PostgreSQL at .*database "no_such_database_here" does not exist/,
    );
  });
});
