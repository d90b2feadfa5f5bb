import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobStore } from '@marquee/platform';
import { backupBlobs } from './blob-copy.js';
import { newBackupId, type Manifest, type StoredFileEntry } from './manifest.js';
import { dumpSchemas, marqueeSchemas } from './postgres-dump.js';
import { holdConsistentSnapshots, sqliteFilesIn } from './sqlite-snapshot.js';
import { targetKeys, type BackupTarget } from '@marquee/platform';

/** What a backup reads: the platform's data directory, its PostgreSQL database if any, its blobs. */
export interface BackupSources {
  dataDir: string;
  /** DATABASE_URL: PostgreSQL mode (a pg_dump) instead of the services' SQLite files. */
  databaseUrl?: string;
  blobs: BlobStore;
}

export interface BackupOutcome {
  manifest: Manifest;
  /** Blobs left out because their bytes no longer match their recorded SHA-256. */
  corrupt: string[];
}

/**
 * Small files of the data directory worth keeping: the generated secret signs tokens and media URLs;
 * the demo marker stops a restored install from loading the demo titles a second time.
 */
const DATA_FILES = ['secret', 'demo-content-loaded'];

async function upload(
  target: BackupTarget,
  key: string,
  name: string,
  file: string,
): Promise<StoredFileEntry> {
  const info = await target.store.put(key, createReadStream(file), {
    contentType: 'application/octet-stream',
  });
  return { name, key, size: info.size, sha256: info.sha256 };
}

/**
 * Takes one backup into `target` while the platform runs: the databases at one consistent instant
 * (SQLite files together, or one pg_dump transaction), then the blobs by content, then the manifest,
 * which is written last, so a backup that did not finish is never mistaken for one that did.
 * Blobs are copied after the databases: every object a database row points at was written before the
 * snapshot, so it is in the store when the copy lists it (unless it was deleted since).
 */
export async function takeBackup(
  sources: BackupSources,
  target: BackupTarget,
  options: { signal?: AbortSignal; now?: () => Date } = {},
): Promise<BackupOutcome> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const id = newBackupId(started, randomBytes(2).toString('hex'));
  await target.store.put(targetKeys.started(id), JSON.stringify({ id, startedAt: started.toISOString() }));
  const scratch = await mkdtemp(join(tmpdir(), 'marquee-backup-'));
  try {
    const databases: StoredFileEntry[] = [];
    let schemas: string[] = [];
    const sqliteNames = await sqliteFilesIn(sources.dataDir);
    const held = await holdConsistentSnapshots(sources.dataDir, sqliteNames);
    try {
      if (sources.databaseUrl) {
        // The dump's snapshot is taken as pg_dump starts, right after the event log's: the two are
        // milliseconds apart, not one instant (run NATS beside PostgreSQL; see docs/operations.md).
        schemas = await marqueeSchemas(sources.databaseUrl);
        const dumpFile = join(scratch, 'postgres.dump');
        const dumping = dumpSchemas(sources.databaseUrl, schemas, dumpFile);
        for (const snapshot of held) await snapshot.copyTo(join(scratch, snapshot.name));
        await dumping;
        databases.push(
          await upload(target, targetKeys.database(id, 'postgres.dump'), 'postgres.dump', dumpFile),
        );
      } else {
        for (const snapshot of held) await snapshot.copyTo(join(scratch, snapshot.name));
      }
    } finally {
      for (const snapshot of held) snapshot.release();
    }
    for (const name of sqliteNames) {
      databases.push(await upload(target, targetKeys.database(id, name), name, join(scratch, name)));
    }
    options.signal?.throwIfAborted();

    const files: StoredFileEntry[] = [];
    for (const name of DATA_FILES) {
      const path = join(sources.dataDir, name);
      if (
        await stat(path).then(
          (s) => s.isFile(),
          () => false,
        )
      ) {
        files.push(await upload(target, targetKeys.file(id, name), name, path));
      }
    }

    const blobs = await backupBlobs(sources.blobs, target.store, options.signal);
    const finished = now();
    const stored = [...databases, ...files].reduce((sum, f) => sum + f.size, 0);
    const manifest: Manifest = {
      format: 1,
      id,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      database: sources.databaseUrl ? 'postgres' : 'embedded',
      schemas,
      databases,
      files,
      blobs: blobs.entries,
      stats: {
        durationMs: finished.getTime() - started.getTime(),
        totalBytes: stored + blobs.entries.reduce((sum, b) => sum + b.size, 0),
        blobsCopied: blobs.copied,
        blobsAlreadyThere: blobs.alreadyThere,
        bytesCopied: stored + blobs.bytesCopied,
      },
    };
    await target.store.put(targetKeys.manifest(id), JSON.stringify(manifest), {
      contentType: 'application/json',
    });
    return { manifest, corrupt: blobs.corrupt };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
