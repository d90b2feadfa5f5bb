import SqliteDriver from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('withStatementCache', () => {
  let raw: SqliteDriver.Database;
  afterEach(() => {
    if (raw.open) raw.close();
  });

  it('returns the same prepared statement for the same SQL, and a different one for different SQL', () => {
    raw = new SqliteDriver(':memory:');
    const db = withStatementCache(raw);
    const a = db.prepare('SELECT 1 AS one');
    expect(db.prepare('SELECT 1 AS one')).toBe(a);
    expect(db.prepare('SELECT 2 AS two')).not.toBe(a);
    expect(a.all([])).toEqual([{ one: 1 }]);
  });

  it('prepares a fresh statement while the cached one is busy iterating', () => {
    raw = new SqliteDriver(':memory:');
    raw.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3);');
    const db = withStatementCache(raw);
    const sql = 'SELECT n FROM t ORDER BY n';
    const outer = db.prepare(sql);
    const seen: unknown[] = [];
    for (const row of outer.iterate([])) {
      const inner = db.prepare(sql);
      expect(inner).not.toBe(outer);
      seen.push(row, inner.all([]).length);
    }
    expect(seen).toEqual([{ n: 1 }, 3, { n: 2 }, 3, { n: 3 }, 3]);
    expect(db.prepare(sql)).toBe(outer); // idle again: the cached one is reused
  });

  it('keeps at most the given number of statements, dropping the oldest', () => {
    raw = new SqliteDriver(':memory:');
    const db = withStatementCache(raw, 2);
    const first = db.prepare('SELECT 1');
    db.prepare('SELECT 2');
    db.prepare('SELECT 3');
    expect(db.prepare('SELECT 1')).not.toBe(first);
  });

  it('sees schema changes made after a statement was cached', () => {
    raw = new SqliteDriver(':memory:');
    raw.exec('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);');
    const db = withStatementCache(raw);
    expect(db.prepare('SELECT * FROM t').all([])).toEqual([{ a: 1 }]);
    raw.exec('ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7');
    expect(db.prepare('SELECT * FROM t').all([])).toEqual([{ a: 1, b: 7 }]);
  });
});
