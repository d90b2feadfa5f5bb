import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '@marquee/core';
import { openBlobStore, readWholeBlob } from '@marquee/platform';
import { startS3rver } from '@marquee/platform/testing';
import { listBackups } from './catalogue.js';
import { restoreBackup, RestoreRefusedError, RestoreVerificationError } from './restore.js';
import { takeBackup } from './take-backup.js';
import { openBackupTarget, targetKeys } from '@marquee/platform';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-s3target-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('an s3:// backup target', () => {
  it('holds a backup under its prefix, restores it, and refuses a restore whose copy went bad', async () => {
    const s3 = await startS3rver();
    cleanup.push(() => s3.stop());
    const env = {
      BACKUP_TARGET: 's3://marquee-backups/site-a',
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.credentials.region,
      S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    };
    const dataDir = join(await tempDir(), 'data');
    const blobs = await openBlobStore({ root: join(dataDir, 'blobs') });
    const db = new SqliteDriver(join(dataDir, 'users.sqlite'));
    db.exec("CREATE TABLE accounts (email TEXT); INSERT INTO accounts VALUES ('ana@x')");
    db.close();
    await writeFile(join(dataDir, 'secret'), 'a secret of at least thirty-two characters\n');
    await blobs.put('assets/a1/seg_1.m4s', 'segment');

    const settings = loadSettings({ ...env, MARQUEE_DATA_DIR: dataDir });
    const target = await openBackupTarget(settings);
    cleanup.push(() => target.close());
    expect(target.description).toBe('s3://marquee-backups/site-a/');
    const { manifest } = await takeBackup({ dataDir, blobs }, target);
    expect((await listBackups(target)).finished).toEqual([manifest.id]);
    // Everything lives under the prefix in the bucket.
    const bucket = await openBlobStore({
      s3: { endpoint: s3.endpoint, bucket: 'marquee-backups', ...s3.credentials },
    });
    cleanup.push(() => bucket.close());
    const keys: string[] = [];
    for await (const info of bucket.list('')) keys.push(info.key);
    expect(keys.every((k) => k.startsWith('site-a/'))).toBe(true);
    expect(keys).toContain(`site-a/${targetKeys.manifest(manifest.id)}`);

    const restoredDir = join(await tempDir(), 'restored');
    const destination = {
      dataDir: restoredDir,
      openBlobs: () => openBlobStore({ root: join(restoredDir, 'blobs') }),
      blobsInDataDir: true,
    };
    const report = await restoreBackup(target, manifest.id, destination, { force: false });
    expect(report).toMatchObject({
      databases: [{ name: 'users.sqlite' }],
      files: ['secret'],
      blobs: { count: 1 },
      checksumsVerified: 3,
    });
    const restored = new SqliteDriver(join(restoredDir, 'users.sqlite'), { readonly: true });
    expect(restored.prepare('SELECT email FROM accounts').all()).toEqual([{ email: 'ana@x' }]);
    restored.close();
    expect(await readFile(join(restoredDir, 'secret'), 'utf8')).toMatch(/^a secret/);
    const back = await openBlobStore({ root: join(restoredDir, 'blobs') });
    expect((await readWholeBlob(back, 'assets/a1/seg_1.m4s')).toString()).toBe('segment');

    await expect(restoreBackup(target, manifest.id, destination, { force: false })).rejects.toThrow(
      RestoreRefusedError,
    );

    // The stored users.sqlite is replaced behind the manifest's back: nothing is restored.
    await target.store.put(manifest.databases[0]!.key, 'not the database');
    const elsewhere = join(await tempDir(), 'elsewhere');
    await expect(
      restoreBackup(target, manifest.id, { ...destination, dataDir: elsewhere }, { force: false }),
    ).rejects.toThrow(RestoreVerificationError);
    await expect(readFile(join(elsewhere, 'users.sqlite'))).rejects.toThrow(/ENOENT/);
  }, 60_000);
});
