import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';

/** How long to keep trying for the moment when no writer holds any of the files. */
const FREEZE_TIMEOUT_MS = 30_000;

/** Every SQLite database of the platform in `dataDir`: one per service and the event log. */
export async function sqliteFilesIn(dataDir: string): Promise<string[]> {
  const entries = await readdir(dataDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.sqlite'))
    .map((e) => e.name)
    .sort();
}

export interface HeldSnapshot {
  name: string;
  /** Copies the snapshot to `file` (SQLite's online backup API, reading the held snapshot). */
  copyTo(file: string): Promise<void>;
  release(): void;
}

const isBusy = (error: unknown) => /^SQLITE_BUSY/.test((error as { code?: string }).code ?? '');

/**
 * Takes ONE instant across several SQLite files: read snapshots of all of them that no commit falls
 * between. Each file is a separate database, so snapshots taken one after another could see a
 * service's write in one file and miss the event-log write it caused in another: an outbox row gone
 * from `users.sqlite` whose event is not yet in `events.sqlite`, or a consumer's cursor moved past an
 * event whose effect is missing. So for a moment every file's write lock is held (BEGIN IMMEDIATE on
 * a connection of our own), the read snapshots are opened, and the locks are let go: writers wait
 * milliseconds, readers never. All of it is synchronous, so in the platform's own process no
 * JavaScript can run between the steps; a writer of this process holding a lock across an await makes
 * the attempt fail at once (busy timeout 0), and it is retried after the event loop has turned.
 */
export async function holdConsistentSnapshots(
  dataDir: string,
  names: readonly string[],
): Promise<HeldSnapshot[]> {
  const deadline = Date.now() + FREEZE_TIMEOUT_MS;
  for (let attempt = 1; ; attempt += 1) {
    const held = tryFreeze(dataDir, names);
    if (held) return held;
    if (Date.now() > deadline) {
      throw new Error(
        `could not find a moment without writers on ${names.join(', ')} within ${FREEZE_TIMEOUT_MS / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(200, 5 * attempt)));
  }
}

function tryFreeze(dataDir: string, names: readonly string[]): HeldSnapshot[] | undefined {
  const locks: SqliteDriver.Database[] = [];
  const readers: SqliteDriver.Database[] = [];
  try {
    for (const name of names) {
      const lock = new SqliteDriver(join(dataDir, name), { timeout: 0, fileMustExist: true });
      locks.push(lock);
      lock.exec('BEGIN IMMEDIATE');
    }
    for (const name of names) {
      const reader = new SqliteDriver(join(dataDir, name), { timeout: 5_000, fileMustExist: true });
      readers.push(reader);
      reader.exec('BEGIN');
      // A deferred transaction takes its snapshot at the first read.
      reader.prepare('SELECT count(*) FROM sqlite_schema').get();
    }
  } catch (error) {
    for (const db of [...readers, ...locks]) db.close();
    if (isBusy(error)) return undefined;
    throw error;
  } finally {
    for (const lock of locks) {
      if (lock.open && lock.inTransaction) lock.exec('ROLLBACK');
      if (lock.open) lock.close();
    }
  }
  return readers.map((reader, i) => ({
    name: names[i]!,
    async copyTo(file: string) {
      // The backup reads through this connection, inside its open read transaction: the snapshot.
      await reader.backup(file);
    },
    release() {
      if (reader.open) reader.close();
    },
  }));
}
