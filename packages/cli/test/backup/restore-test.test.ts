import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '@marquee/core';
import {
  openBackupTarget,
  openPlatformBlobStore,
  readBackupStatus,
  targetKeys,
  type BackupTarget,
} from '@marquee/platform';
import { listedBackends, testUrls } from '@marquee/platform/testing';
import { login } from '../../src/ingest.js';
import { testRestore } from '../../src/backup/restore-test.js';
import { takeBackup } from '../../src/backup/take-backup.js';
import {
  ADMIN,
  freshInstall,
  lastJson,
  marquee,
  randomEmail,
  startInProcess,
  type Install,
} from './fixtures.js';
import { call, signUp } from './viewer-api.js';

/**
 * The restore test (`marquee backup verify`, and after each scheduled backup): the backup is restored
 * into a scratch place, every SHA-256 checked, the restored databases opened and checked; the outcome
 * is recorded beside the backup, where the admin console reads it. It must fail on a corrupt blob copy
 * and on a database with orphans, and leave nothing behind.
 */

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An install with an admin, two viewers (one rating, one My List entry) and one blob; stopped. */
async function populatedInstall(backend: 'embedded' | 'postgres', targetDir: string): Promise<Install> {
  const made = await freshInstall(backend, targetDir);
  cleanup.push(() => made.dispose());
  const running = await startInProcess(made);
  try {
    const { gateway } = running;
    const admin = await login(gateway, ADMIN.email, ADMIN.password);
    const { titleId } = await call<{ titleId: string }>(gateway, admin, 'POST', '/api/admin/titles', {
      type: 'movie',
      name: 'Tested',
      synopsis: '',
      year: 2024,
      maturity: 'PG',
      genres: [],
    });
    for (const who of ['ana', 'ben']) {
      const viewer = await signUp(gateway, randomEmail(who));
      const { items } = await call<{ items: { profileId: string }[] }>(
        gateway,
        viewer.token,
        'GET',
        '/api/profiles',
      );
      const profile = items[0]!.profileId;
      await call(gateway, viewer.token, 'PUT', `/api/profiles/${profile}/ratings/${titleId}`, {
        rating: 'up',
      });
      await call(gateway, viewer.token, 'PUT', `/api/profiles/${profile}/list/${titleId}`);
    }
    await running.platform.context.blobs.put('assets/tested/seg_1.m4s', 'segment bytes');
  } finally {
    await running.close();
  }
  return made;
}

async function backUp(made: Install, target: BackupTarget): Promise<string> {
  const settings = loadSettings(made.env);
  const blobs = await openPlatformBlobStore(settings, made.dataDir);
  try {
    const sources = {
      dataDir: made.dataDir,
      blobs,
      ...(settings.DATABASE_URL ? { databaseUrl: settings.DATABASE_URL } : {}),
    };
    return (await takeBackup(sources, target)).manifest.id;
  } finally {
    await blobs.close();
  }
}

describe('the restore test', () => {
  it('embedded: passes on a good backup, fails on a corrupt blob copy and on orphans, leaves nothing behind', async () => {
    const targetDir = await tempDir('marquee-backups-');
    const scratchRoot = await tempDir('marquee-scratch-');
    const made = await populatedInstall('embedded', targetDir);
    const target = await openBackupTarget(loadSettings(made.env));
    cleanup.push(() => target.close());
    const good = await backUp(made, target);

    // Through the command, as an operator or a cron job runs it.
    const verified = await marquee(['backup', 'verify', 'latest', '--json'], made.env);
    expect(verified.code, verified.out).toBe(0);
    const record = lastJson<Awaited<ReturnType<typeof testRestore>>>(verified.out);
    expect(record).toMatchObject({ backupId: good, ok: true, problems: [] });
    expect(record.rowCounts.users).toMatchObject({ ratings: 2, my_list: 2 });
    expect(record.rowCounts.users!.accounts).toBe(3); // the admin and two viewers
    expect(record.rowCounts.streaming!.titles).toBe(1);
    expect(Object.keys(record.rowCounts)).toEqual(expect.arrayContaining(['events', 'storage']));
    // Databases, the secret, and every blob (the segment and whatever the services wrote).
    expect(record.checksumsVerified).toBeGreaterThan(Object.keys(record.rowCounts).length + 1);

    // The record is kept beside the backup: what the admin console shows.
    const status = await readBackupStatus(target, { intervalSeconds: 3600 });
    expect(status.newest?.id).toBe(good);
    expect(status.lastRestoreTest).toEqual(record);

    // A copy in the target that no longer matches its SHA-256 fails the test, naming the object.
    const sha = createHash('sha256').update('segment bytes').digest('hex');
    // (the directory target's file: a header, then the bytes; the last byte is the content's)
    const copy = join(targetDir, 'objects', targetKeys.content(sha));
    const original = await readFile(copy);
    const flipped = Buffer.from(original);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 0xff, flipped.length - 1);
    await writeFile(copy, flipped);
    const corrupt = await testRestore(target, good, { scratchRoot });
    expect(corrupt.ok).toBe(false);
    expect(corrupt.problems.join('\n')).toMatch(/assets\/tested\/seg_1\.m4s: expected [0-9a-f]{64}/);
    expect((await readBackupStatus(target, { intervalSeconds: 3600 })).lastRestoreTest).toEqual(corrupt);
    const failed = await marquee(['backup', 'verify', good], made.env);
    expect(failed.code, failed.out).toBe(1);
    expect(failed.out).toMatch(/FAILED/);

    await writeFile(copy, original); // mended: the next backup shares that copy (by content)

    // A backup of a database with a rating whose profile is gone (foreign keys off, as a torn copy
    // would be) fails the consistency check.
    const users = new SqliteDriver(join(made.dataDir, 'users.sqlite'));
    users.pragma('foreign_keys = OFF');
    users
      .prepare('INSERT INTO ratings (profile_id, title_id, rating, rated_at) VALUES (?, ?, ?, ?)')
      .run('no-such-profile', 'no-such-title', 'up', new Date().toISOString());
    users.close();
    const torn = await backUp(made, target);
    const orphaned = await testRestore(target, torn, { scratchRoot });
    expect(orphaned.ok).toBe(false);
    expect(orphaned.problems).toContain('users.sqlite: a ratings row points at a missing profiles row');
    expect(orphaned.problems).toContain('users.sqlite: 1 ratings rows without their profile and account');

    // Every test cleaned up its scratch place.
    expect(await readdir(scratchRoot)).toEqual([]);
  }, 300_000);

  it.runIf(listedBackends().has('postgres'))(
    'PostgreSQL: restores the dump into a scratch database with pg_restore, checks it, and drops it',
    async () => {
      const targetDir = await tempDir('marquee-backups-');
      const made = await populatedInstall('postgres', targetDir);
      const target = await openBackupTarget(loadSettings(made.env));
      cleanup.push(() => target.close());
      const id = await backUp(made, target);
      const scratchDatabases = async () => {
        const client = new pg.Client({ connectionString: testUrls.postgres });
        await client.connect();
        try {
          const { rows } = await client.query<{ datname: string }>(
            `SELECT datname FROM pg_database WHERE datname LIKE 'marquee_restore_test_%'`,
          );
          return rows.map((r) => r.datname);
        } finally {
          await client.end();
        }
      };
      const before = await scratchDatabases();
      const record = await testRestore(target, id, { databaseUrl: made.env.DATABASE_URL! });
      expect(record.problems).toEqual([]);
      expect(record.ok).toBe(true);
      expect(record.rowCounts.users).toMatchObject({ accounts: 3, ratings: 2, my_list: 2 });
      expect(record.rowCounts.streaming!.titles).toBe(1);
      expect(record.rowCounts.events).toBeDefined(); // the embedded event log beside PostgreSQL
      const after = await scratchDatabases();
      expect(after.filter((d) => !before.includes(d))).toEqual([]);
    },
    300_000,
  );
});
