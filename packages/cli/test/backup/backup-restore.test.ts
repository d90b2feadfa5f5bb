import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readWholeBlob, openPlatformBlobStore } from '@marquee/platform';
import { listedBackends } from '@marquee/platform/testing';
import { loadSettings } from '@marquee/core';
import { ingest, login } from '../../src/ingest.js';
import type { Manifest } from '../../src/backup/manifest.js';
import { waitFor } from '../helpers.js';
import { readBackupManifest } from './read-manifest.js';
import { listBackups } from '../../src/backup/catalogue.js';
import { restoreBackup, type RestoreReport } from '../../src/backup/restore.js';
import { takeBackup } from '../../src/backup/take-backup.js';
import { openBackupTarget } from '@marquee/platform';
import {
  ADMIN,
  freshInstall,
  lastJson,
  marquee,
  randomEmail,
  sha256,
  startInProcess,
  tinyClip,
  type Install,
  type Running,
} from './fixtures.js';
import { call, fetchFirstSegments, logIn, signUp, viewerState, watch, type Viewer } from './viewer-api.js';

/**
 * Issue 14's acceptance: start the platform, make accounts, profiles, ratings, My List entries and
 * history, upload and encode a title; back up with `marquee backup`; stop; delete the data directory;
 * `marquee restore`; start again: every record is back, the title plays and its segments match their
 * SHA-256. Once on the embedded backends and once on PostgreSQL (pg_dump/pg_restore).
 */

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

async function install(backend: 'embedded' | 'postgres', targetDir: string): Promise<Install> {
  const made = await freshInstall(backend, targetDir);
  cleanup.push(() => made.dispose());
  return made;
}

async function start(made: Install): Promise<Running> {
  const running = await startInProcess(made);
  cleanup.push(() => running.close());
  return running;
}

async function targetDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-backups-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Two viewers with a second profile, ratings, My List entries and history on an encoded title. */
async function populate(gateway: string) {
  const admin = await login(gateway, ADMIN.email, ADMIN.password);
  const { titleId, state } = await ingest({
    file: await tinyClip(),
    title: 'Backed Up',
    gateway,
    token: admin,
    pollMs: 250,
  });
  expect(state).toBe('ready');
  const viewers: Viewer[] = [];
  for (const who of ['ana', 'ben']) {
    const viewer = await signUp(gateway, randomEmail(who));
    viewers.push(viewer);
    const kids = await call<{ profileId: string }>(gateway, viewer.token, 'POST', '/api/profiles', {
      name: `${who} kids`,
      kids: true,
    });
    const { items } = await call<{ items: { profileId: string; name: string }[] }>(
      gateway,
      viewer.token,
      'GET',
      '/api/profiles',
    );
    const main = items.find((p) => p.profileId !== kids.profileId)!;
    await call(gateway, viewer.token, 'PUT', `/api/profiles/${main.profileId}/ratings/${titleId}`, {
      rating: who === 'ana' ? 'up' : 'down',
    });
    await call(gateway, viewer.token, 'PUT', `/api/profiles/${main.profileId}/list/${titleId}`);
    await call(gateway, viewer.token, 'PUT', `/api/profiles/${kids.profileId}/list/${titleId}`);
    await watch(gateway, viewer, main.profileId, titleId, who === 'ana' ? 1.5 : 2);
    // History arrives through the playback events; wait until the users service has recorded it.
    await waitFor(
      async () => {
        const history = await call<{ items: unknown[] }>(
          gateway,
          viewer.token,
          'GET',
          `/api/profiles/${main.profileId}/history`,
        );
        return history.items.length > 0 ? true : undefined;
      },
      20_000,
      `${who}'s history`,
    );
  }
  // Play counts are written every few seconds, off the playback path: wait for both plays to land.
  await waitFor(
    async () => {
      const title = await call<{ plays: number }>(gateway, admin, 'GET', `/api/admin/titles/${titleId}`);
      return title.plays === viewers.length ? true : undefined;
    },
    30_000,
    'the play count',
  );
  return { admin, titleId, viewers };
}

async function everything(gateway: string, adminToken: string, titleId: string, viewers: Viewer[]) {
  const title = await call<{ asset: unknown }>(gateway, adminToken, 'GET', `/api/admin/titles/${titleId}`);
  const states = [];
  for (const v of viewers) states.push(await viewerState(gateway, v));
  return { title, states };
}

type Via = 'cli' | 'api';

async function takeOnlineBackup(made: Install, via: Via): Promise<string> {
  if (via === 'cli') {
    const backup = await marquee(['backup', '--json'], made.env);
    expect(backup.code, backup.out).toBe(0);
    return lastJson<{ id: string }>(backup.out).id;
  }
  const settings = loadSettings(made.env);
  const target = await openBackupTarget(settings);
  const blobs = await openPlatformBlobStore(settings, made.dataDir);
  try {
    const { manifest, corrupt } = await takeBackup(
      {
        dataDir: made.dataDir,
        blobs,
        ...(settings.DATABASE_URL ? { databaseUrl: settings.DATABASE_URL } : {}),
      },
      target,
    );
    expect(corrupt).toEqual([]);
    expect((await listBackups(target)).finished).toContain(manifest.id);
    return manifest.id;
  } finally {
    await Promise.all([blobs.close(), target.close()]);
  }
}

async function restoreInto(made: Install, id: string, via: Via): Promise<RestoreReport> {
  if (via === 'cli') {
    const restored = await marquee(['restore', id, '--json'], made.env);
    expect(restored.code, restored.out).toBe(0);
    return lastJson<RestoreReport>(restored.out);
  }
  const settings = loadSettings(made.env);
  const target = await openBackupTarget(settings);
  try {
    return await restoreBackup(
      target,
      id,
      {
        dataDir: made.dataDir,
        ...(settings.DATABASE_URL ? { databaseUrl: settings.DATABASE_URL } : {}),
        openBlobs: () => openPlatformBlobStore(settings, made.dataDir),
        blobsInDataDir: true,
      },
      { force: false },
    );
  } finally {
    await target.close();
  }
}

async function backupRestoreRoundTrip(backend: 'embedded' | 'postgres', via: Via) {
  const targetDir = await targetDirectory();
  const first = await install(backend, targetDir);
  const before = await start(first);
  const { admin, titleId, viewers } = await populate(before.gateway);
  const saved = await everything(before.gateway, admin, titleId, viewers);
  expect(saved.states.flatMap((s) => s.map((p) => p.history))).not.toEqual([]);

  // The platform is running: the backup is taken online (by `marquee backup` in another process, or
  // by the same code in this one, which is quicker on a loaded machine).
  const id = await takeOnlineBackup(first, via);
  await before.close();

  // A new machine: empty data directory (and an empty database); the same backup target.
  const second = await install(backend, targetDir);
  await rm(second.dataDir, { recursive: true, force: true });
  const report = await restoreInto(second, id, via);
  const names = report.databases.map((d) => d.name);
  expect(names).toContain('events.sqlite');
  if (backend === 'postgres') expect(names).toContain('postgres.dump');
  else expect(names).toEqual(expect.arrayContaining(['users.sqlite', 'streaming.sqlite', 'storage.sqlite']));
  expect(report.blobs.count).toBeGreaterThan(5);
  expect(report.checksumsVerified).toBe(report.databases.length + 1 + report.blobs.count); // + the secret

  // A second restore onto what is now there is refused, naming what it would overwrite.
  await expect(restoreInto(second, id, 'api')).rejects.toThrow(
    backend === 'postgres'
      ? /refusing to restore over the data directory .*; the PostgreSQL schemas .*users.*--force/
      : /refusing to restore over the data directory .*--force/,
  );

  // Before anything runs on it (the recommender republishes its model pointer once started), every
  // blob is back with the bytes the manifest recorded.
  const blobs = await openPlatformBlobStore(loadSettings(second.env), second.dataDir);
  cleanup.push(() => blobs.close());
  const manifest: Manifest = await readBackupManifest(targetDir, id);
  for (const entry of manifest.blobs) {
    expect(sha256(await readWholeBlob(blobs, entry.key)), entry.key).toBe(entry.sha256);
  }
  const after = await start(second);
  const adminAgain = await login(after.gateway, ADMIN.email, ADMIN.password);
  const viewersAgain = await Promise.all(viewers.map((v) => logIn(after.gateway, v)));
  expect(await everything(after.gateway, adminAgain, titleId, viewersAgain)).toEqual(saved);

  // Consumers resumed from the snapshot's offsets: after they have had time to run (redelivering what
  // was handed out but not acked), nothing has doubled. Then the title plays, which changes its history.
  await new Promise((r) => setTimeout(r, 3_000));
  expect(await everything(after.gateway, adminAgain, titleId, viewersAgain)).toEqual(saved);

  // The title plays from the edges, with the segments the manifest recorded.
  const [profile] = saved.states[0]!;
  const viewer = viewersAgain[0]!;
  const session = await call<{ manifestUrl: string }>(after.gateway, viewer.token, 'POST', '/api/playback', {
    profileId: profile!.profile.profileId,
    titleId,
  });
  for (const { url, bytes } of await fetchFirstSegments(session.manifestUrl)) {
    const key = `assets/${/\/a\/([^/]+)\/(.+)$/.exec(new URL(url).pathname)!.slice(1).join('/')}`;
    const entry = manifest.blobs.find((b) => b.key === key);
    expect(entry, `${key} in the manifest`).toBeDefined();
    expect(sha256(bytes), key).toBe(entry!.sha256);
  }
}

describe('marquee backup and restore', () => {
  it('embedded, with the marquee commands: every record is back, the title plays, its segments match their SHA-256', async () => {
    await backupRestoreRoundTrip('embedded', 'cli');
  }, 900_000);

  it.runIf(listedBackends().has('postgres'))(
    'PostgreSQL: the same with pg_dump and pg_restore into an empty database',
    async () => {
      await backupRestoreRoundTrip('postgres', 'api');
    },
    900_000,
  );
});
