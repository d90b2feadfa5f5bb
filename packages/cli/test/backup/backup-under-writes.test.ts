import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '@marquee/core';
import { login } from '../../src/ingest.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { testRestore } from '../../src/backup/restore-test.js';
import { takeBackup } from '../../src/backup/take-backup.js';
import { openBackupTarget, openPlatformBlobStore } from '@marquee/platform';
import { ADMIN, freshInstall, randomEmail, startInProcess } from './fixtures.js';
import { call, signUp } from './viewer-api.js';

/**
 * A backup taken while viewers sign up and rate, and an operator creates titles and starts uploads,
 * restores to a consistent state: no rating without its profile and account, no asset or upload
 * without its title, and no account whose `user.created` event is in neither the users outbox nor the
 * event log (the two files must be copied as of one instant for that to hold).
 */

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Keeps signing viewers up and rating a title until `stop` says so; returns how many it made. */
async function viewerWriter(gateway: string, titleId: string, stop: () => boolean): Promise<number> {
  let made = 0;
  for (let i = 0; i < 400 && !stop(); i += 1) {
    const viewer = await signUp(gateway, randomEmail('writer'));
    const { items } = await call<{ items: { profileId: string }[] }>(
      gateway,
      viewer.token,
      'GET',
      '/api/profiles',
    );
    await call(gateway, viewer.token, 'PUT', `/api/profiles/${items[0]!.profileId}/ratings/${titleId}`, {
      rating: 'up',
    });
    made += 1;
  }
  return made;
}

/** Keeps creating titles and starting their uploads (tus creation) until `stop` says so. */
async function operatorWriter(gateway: string, token: string, stop: () => boolean): Promise<number> {
  let made = 0;
  for (let i = 0; i < 200 && !stop(); i += 1) {
    const { titleId } = await call<{ titleId: string }>(gateway, token, 'POST', '/api/admin/titles', {
      type: 'movie',
      name: `Busy ${i}`,
      synopsis: '',
      year: 2024,
      maturity: 'PG',
      genres: [],
    });
    const res = await fetch(`${gateway}/api/admin/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-length': '1000',
        'upload-metadata': `titleId ${b64(titleId)},filename ${b64('busy.mp4')}`,
      },
    });
    if (res.status !== 201) throw new Error(`upload creation answered ${res.status}: ${await res.text()}`);
    made += 1;
  }
  return made;
}

function rows<T>(file: string, sql: string): T[] {
  const db = new SqliteDriver(file, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('a backup taken while writes are happening', () => {
  it('restores to a consistent state', async () => {
    const targetDir = await mkdtemp(join(tmpdir(), 'marquee-backups-'));
    cleanup.push(() => rm(targetDir, { recursive: true, force: true }));
    const first = await freshInstall('embedded', targetDir);
    cleanup.push(() => first.dispose());
    const running = await startInProcess(first);
    cleanup.push(() => running.close());
    const { gateway } = running;
    const admin = await login(gateway, ADMIN.email, ADMIN.password);
    const { titleId } = await call<{ titleId: string }>(gateway, admin, 'POST', '/api/admin/titles', {
      type: 'movie',
      name: 'Rated',
      synopsis: '',
      year: 2024,
      maturity: 'PG',
      genres: [],
    });

    let stopped = false;
    const stop = () => stopped;
    const writers = [
      viewerWriter(gateway, titleId, stop),
      viewerWriter(gateway, titleId, stop),
      viewerWriter(gateway, titleId, stop),
      operatorWriter(gateway, admin, stop),
    ];
    // Let the writers get going, back up in the same process as the platform, then stop them.
    await new Promise((r) => setTimeout(r, 1_500));
    const settings = loadSettings(first.env);
    const target = await openBackupTarget(settings);
    cleanup.push(() => target.close());
    const { manifest } = await takeBackup(
      { dataDir: first.dataDir, blobs: running.platform.context.blobs },
      target,
    );
    // The restore test (as the schedule runs it after each backup) finds it consistent while the
    // writers go on.
    const tested = await testRestore(target, manifest.id);
    expect(tested.problems).toEqual([]);
    expect(tested.ok).toBe(true);
    stopped = true;
    const made = await Promise.all(writers);
    expect(
      made.every((n) => n > 0),
      `writers made ${made.join(', ')}`,
    ).toBe(true);
    await running.close();

    const second = await freshInstall('embedded', targetDir);
    cleanup.push(() => second.dispose());
    await rm(second.dataDir, { recursive: true, force: true });
    await restoreBackup(
      target,
      manifest.id,
      {
        dataDir: second.dataDir,
        openBlobs: () => openPlatformBlobStore(settings, second.dataDir),
        blobsInDataDir: true,
      },
      { force: false },
    );
    const file = (name: string) => join(second.dataDir, `${name}.sqlite`);

    const accounts = rows<{ account_id: string }>(
      file('users'),
      `SELECT account_id FROM accounts WHERE email LIKE 'writer-%'`,
    );
    expect(accounts.length, 'accounts made before the backup').toBeGreaterThan(0);
    expect(accounts.length, 'the backup was taken while accounts were still being made').toBeLessThan(
      made.slice(0, 3).reduce((a, b) => a + b, 0),
    );
    expect(
      rows(
        file('users'),
        `SELECT r.profile_id FROM ratings r LEFT JOIN profiles p ON p.profile_id = r.profile_id
         LEFT JOIN accounts a ON a.account_id = p.account_id WHERE a.account_id IS NULL`,
      ),
      'ratings without their account',
    ).toEqual([]);
    expect(
      rows(
        file('streaming'),
        `SELECT a.asset_id FROM assets a LEFT JOIN titles t ON t.title_id = a.title_id WHERE t.title_id IS NULL`,
      ),
      'assets without their title',
    ).toEqual([]);
    const titles = new Set(
      rows<{ title_id: string }>(file('streaming'), 'SELECT title_id FROM titles').map((r) => r.title_id),
    );
    const uploads = rows<{ title_id: string }>(file('storage'), 'SELECT title_id FROM uploads');
    expect(uploads.length).toBeGreaterThan(0);
    expect(
      uploads.filter((u) => !titles.has(u.title_id)),
      'uploads without their title',
    ).toEqual([]);

    // Each account's user.created event is either still in the users outbox or already in the log.
    const subjects = (bodies: string[]) =>
      new Set(
        bodies
          .map((b) => JSON.parse(b) as { type: string; subject?: string })
          .filter((e) => e.type === 'user.created')
          .map((e) => e.subject),
      );
    const pending = subjects(
      rows<{ event: string }>(file('users'), 'SELECT event FROM outbox').map((r) => r.event),
    );
    const logged = subjects(
      rows<{ body: string }>(
        join(second.dataDir, 'events.sqlite'),
        `SELECT body FROM events WHERE type = 'user.created'`,
      ).map((r) => r.body),
    );
    expect(
      accounts.filter((a) => !pending.has(a.account_id) && !logged.has(a.account_id)),
      'accounts whose user.created event was lost',
    ).toEqual([]);
  }, 600_000);
});
