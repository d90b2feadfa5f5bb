import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from './errors.js';
import type { Database } from './port.js';
import { openSqliteDatabase, sqliteFileOf } from './sqlite.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-sqlite-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function pragma(db: Database<unknown>, name: string): Promise<unknown> {
  const { rows } = await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(db.write);
  return Object.values(rows[0] ?? {})[0];
}

describe('SQLite adapter', () => {
  it('keeps each service in ${dataDir}/${service}.sqlite, creating the directory', async () => {
    const dataDir = join(await tempDir(), 'nested', 'data');
    const db = await openSqliteDatabase({ service: 'users', dataDir });
    cleanups.push(() => db.close());
    await sql`create table t (x integer)`.execute(db.write);
    expect(existsSync(join(dataDir, 'users.sqlite'))).toBe(true);
    expect(sqliteFileOf('users', ':memory:')).toBe(':memory:');
  });

  it('runs with WAL, a busy timeout, foreign keys on and synchronous NORMAL', async () => {
    const db = await openSqliteDatabase({ service: 'users', dataDir: await tempDir() });
    cleanups.push(() => db.close());
    expect(await pragma(db, 'journal_mode')).toBe('wal');
    expect(await pragma(db, 'busy_timeout')).toBe(5000);
    expect(await pragma(db, 'foreign_keys')).toBe(1);
    expect(await pragma(db, 'synchronous')).toBe(1); // NORMAL
    expect(db.read).toBe(db.write);
  });

  it('keeps data across reopen, and nothing on disk for :memory:', async () => {
    const dataDir = await tempDir();
    const first = await openSqliteDatabase({ service: 'streaming', dataDir });
    await sql`create table t (x integer)`.execute(first.write);
    await sql`insert into t values (42)`.execute(first.write);
    await first.close();
    const again = await openSqliteDatabase({ service: 'streaming', dataDir });
    cleanups.push(() => again.close());
    const { rows } = await sql<{ x: number }>`select x from t`.execute(again.read);
    expect(rows).toEqual([{ x: 42 }]);

    const memory = await openSqliteDatabase({ service: 'streaming', dataDir: ':memory:' });
    cleanups.push(() => memory.close());
    await expect(sql`select x from t`.execute(memory.read)).rejects.toThrow(/no such table/);
  });

  it('refuses a missing dataDir and reports an unopenable file with its path', async () => {
    await expect(openSqliteDatabase({ service: 'users' })).rejects.toThrow(/needs a dataDir/);
    const dir = await tempDir();
    const notADirectory = join(dir, 'file');
    await writeFile(notADirectory, 'x');
    const failure = openSqliteDatabase({ service: 'users', dataDir: join(notADirectory, 'inside') });
    await expect(failure).rejects.toThrow(/ENOTDIR|not a directory/);
    await writeFile(
      join(dir, 'users.sqlite'),
      'this is not a database file, long enough to be read as a header',
    );
    const corrupt = openSqliteDatabase({ service: 'users', dataDir: dir });
    await expect(corrupt).rejects.toThrow(DatabaseUnavailableError);
    await expect(corrupt).rejects.toThrow(/users\.sqlite.*not a database/);
  });
});
