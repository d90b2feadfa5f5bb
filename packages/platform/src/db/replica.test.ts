import { sql, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../testing/database.js';
import { replicaAvailable, startReplicaPair, type ReplicaPair } from '../testing/postgres-replica.js';
import type { Database } from './port.js';

interface Tables {
  notes: { id: string; body: string };
}

const migrations: Record<string, Migration> = {
  '001_notes': {
    up: (db) =>
      db.schema
        .createTable('notes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('body', 'text')
        .execute(),
  },
};

/** `read` on a REAL streaming replica: what it sees, and what it does not see while replay is paused. */
describe.runIf(replicaAvailable())('db on a primary with a streaming replica', () => {
  let pair: ReplicaPair;
  let db: Database<Tables>;
  beforeAll(async () => {
    pair = await startReplicaPair();
    db = await openTestDatabase<Tables>('postgres', {
      service: 'replica',
      servers: { url: pair.primaryUrl, readUrl: pair.replicaUrl },
    });
    await db.migrate(migrations);
    // The replica must have replayed the migration before a test asks it about the table.
    await pair.caughtUp();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await pair?.stop();
  });

  const notesOn = async (handle: 'read' | 'write') =>
    (await db[handle].selectFrom('notes').select('id').orderBy('id').execute()).map((r) => r.id);

  it('reads through the replica: a server in recovery, which refuses writes', async () => {
    const inRecovery = await sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(db.read);
    expect(inRecovery.rows[0]?.r).toBe(true);
    await expect(db.read.insertInto('notes').values({ id: 'x', body: '' }).execute()).rejects.toThrow(
      /read-only transaction/,
    );
    const primary = await sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(db.write);
    expect(primary.rows[0]?.r).toBe(false);
  });

  it('sees a write once replayed, and not while replay is paused; the primary always does', async () => {
    await db.write.insertInto('notes').values({ id: 'a', body: 'first' }).execute();
    await pair.caughtUp();
    expect(await notesOn('read')).toContain('a');

    await pair.pauseReplay();
    try {
      await db.write.insertInto('notes').values({ id: 'b', body: 'while paused' }).execute();
      expect(await notesOn('write')).toEqual(['a', 'b']);
      expect(await notesOn('read')).toEqual(['a']); // the lag, made visible
    } finally {
      await pair.resumeReplay();
    }
    await pair.caughtUp();
    expect(await notesOn('read')).toEqual(['a', 'b']);
  });
});
