import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openBlobStore } from '@marquee/platform';
import { restoreBackup, RestoreRefusedError } from './restore.js';
import { takeBackup } from './take-backup.js';
import type { BackupTarget } from '@marquee/platform';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const emails = (file: string) => {
  const db = new SqliteDriver(file, { readonly: true });
  try {
    return db.prepare('SELECT email FROM accounts ORDER BY email').pluck().all();
  } finally {
    db.close();
  }
};

describe('restore --force', () => {
  it('replaces the databases and blobs of a data directory that has moved on since the backup', async () => {
    const root = await mkdtemp(join(tmpdir(), 'marquee-force-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const dataDir = join(root, 'data');
    const blobs = await openBlobStore({ root: join(dataDir, 'blobs') });
    const store = await openBlobStore({ root: join(root, 'backups') });
    const target: BackupTarget = { store, description: 'backups', prefix: '', close: () => store.close() };
    const live = new SqliteDriver(join(dataDir, 'users.sqlite'));
    live.pragma('journal_mode = WAL');
    live.exec("CREATE TABLE accounts (email TEXT); INSERT INTO accounts VALUES ('kept@x')");
    await blobs.put('assets/a1/seg_1.m4s', 'before');
    const { manifest } = await takeBackup({ dataDir, blobs }, target);

    // After the backup: a new account (still in the WAL, the connection open) and changed media.
    live.exec("INSERT INTO accounts VALUES ('later@x')");
    await blobs.put('assets/a1/seg_1.m4s', 'after');
    await blobs.put('assets/a2/seg_1.m4s', 'new title');
    const destination = {
      dataDir,
      openBlobs: () => openBlobStore({ root: join(dataDir, 'blobs') }),
      blobsInDataDir: true,
    };
    await expect(restoreBackup(target, manifest.id, destination, { force: false })).rejects.toThrow(
      RestoreRefusedError,
    );
    live.close(); // the platform is stopped before a restore
    await restoreBackup(target, manifest.id, destination, { force: true });

    expect(emails(join(dataDir, 'users.sqlite'))).toEqual(['kept@x']);
    const back = await openBlobStore({ root: join(dataDir, 'blobs') });
    const keys: string[] = [];
    for await (const info of back.list('')) keys.push(info.key);
    expect(keys).toEqual(['assets/a1/seg_1.m4s']);
    expect((await readdir(dataDir)).filter((f) => f.startsWith('.restore-'))).toEqual([]);
  });
});
