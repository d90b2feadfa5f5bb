import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '@marquee/platform';
import { restoreBlobs } from './blob-copy.js';
import { readManifest } from './catalogue.js';
import type { Manifest, StoredFileEntry } from './manifest.js';
import { restoreDump, schemasWithTables } from './postgres-dump.js';
import type { BackupTarget } from '@marquee/platform';

export interface RestoreDestination {
  dataDir: string;
  /** DATABASE_URL: the dump is restored there (PostgreSQL backups only). */
  databaseUrl?: string;
  /** Opens the platform's blob store; called after the data directory was found empty. */
  openBlobs(): Promise<BlobStore>;
  /** Whether the blob store lives in `<dataDir>/blobs` (removed by --force) or elsewhere (S3). */
  blobsInDataDir: boolean;
}

export interface RestoreReport {
  id: string;
  databases: { name: string; size: number }[];
  files: string[];
  blobs: { count: number; bytes: number };
  /** Every SHA-256 compared: databases, files and blobs. */
  checksumsVerified: number;
}

export class RestoreRefusedError extends Error {}

/** Thrown after a restore that wrote what it could but found copies that do not match the manifest. */
export class RestoreVerificationError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} object(s) failed verification:\n  ${problems.slice(0, 20).join('\n  ')}`);
  }
}

/** What a restore would overwrite, named; an empty list means the destination is empty. */
async function occupied(manifest: Manifest, destination: RestoreDestination): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(destination.dataDir).catch(() => [] as string[]);
  if (entries.length > 0) found.push(`the data directory ${destination.dataDir} (${entries.length} entries)`);
  if (manifest.database === 'postgres' && destination.databaseUrl) {
    const schemas = await schemasWithTables(destination.databaseUrl);
    if (schemas.length > 0) found.push(`the PostgreSQL schemas ${schemas.join(', ')}`);
  }
  if (!destination.blobsInDataDir) {
    const blobs = await destination.openBlobs();
    try {
      for await (const info of blobs.list('')) {
        found.push(`the blob store (it holds ${info.key} and maybe more)`);
        break;
      }
    } finally {
      await blobs.close();
    }
  }
  return found;
}

/** Downloads one stored file to `path`, hashing as it goes; throws when the hash is not the recorded one. */
async function fetchVerified(target: BackupTarget, entry: StoredFileEntry, path: string): Promise<void> {
  const hash = createHash('sha256');
  const { body } = await target.store.get(entry.key);
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(body, hashing, createWriteStream(path, { mode: 0o600 }));
  const actual = hash.digest('hex');
  if (actual !== entry.sha256) {
    throw new RestoreVerificationError([
      `${entry.name}: expected ${entry.sha256}, the backup holds ${actual}`,
    ]);
  }
}

/**
 * Restores backup `id` into an empty data directory (and empty PostgreSQL schemas and blob store), or
 * over what is there with `force`. Every database file is downloaded and checked against its
 * SHA-256 before any is put in place; every blob is checked as it is written back. The platform must
 * be stopped.
 */
export async function restoreBackup(
  target: BackupTarget,
  id: string,
  destination: RestoreDestination,
  options: { force: boolean; onBlobProgress?: (done: number, total: number) => void },
): Promise<RestoreReport> {
  const manifest = await readManifest(target, id);
  if (manifest.database === 'postgres' && !destination.databaseUrl) {
    throw new RestoreRefusedError(
      `backup ${id} is of a PostgreSQL install: set DATABASE_URL to the database to restore into`,
    );
  }
  if (manifest.database === 'embedded' && destination.databaseUrl) {
    throw new RestoreRefusedError(`backup ${id} holds SQLite files: unset DATABASE_URL to restore it`);
  }
  const inTheWay = await occupied(manifest, destination);
  if (inTheWay.length > 0 && !options.force) {
    throw new RestoreRefusedError(
      `refusing to restore over ${inTheWay.join('; ')}: stop the platform and restore into an empty place, or pass --force to overwrite`,
    );
  }

  const { dataDir } = destination;
  await mkdir(dataDir, { recursive: true });
  const staging = join(dataDir, `.restore-${id}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  try {
    // Everything is fetched and verified before anything is replaced.
    for (const entry of [...manifest.databases, ...manifest.files]) {
      await fetchVerified(target, entry, join(staging, entry.name));
    }
    if (options.force && destination.blobsInDataDir)
      await rm(join(dataDir, 'blobs'), { recursive: true, force: true });
    for (const entry of manifest.databases) {
      if (entry.name === 'postgres.dump') {
        await restoreDump(destination.databaseUrl!, join(staging, entry.name), options.force);
        continue;
      }
      const path = join(dataDir, entry.name);
      // A WAL left from the database being replaced would be replayed onto the restored file.
      await rm(`${path}-wal`, { force: true });
      await rm(`${path}-shm`, { force: true });
      await rename(join(staging, entry.name), path);
    }
    for (const entry of manifest.files) {
      await rename(join(staging, entry.name), join(dataDir, entry.name));
      await chmod(join(dataDir, entry.name), 0o600);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }

  const blobs = await destination.openBlobs();
  let problems: string[];
  try {
    const total = manifest.blobs.length;
    problems = await restoreBlobs(manifest.blobs, target.store, blobs, (done) =>
      options.onBlobProgress?.(done, total),
    );
  } finally {
    await blobs.close();
  }
  if (problems.length > 0) throw new RestoreVerificationError(problems);
  return {
    id,
    databases: manifest.databases.map((d) => ({ name: d.name, size: d.size })),
    files: manifest.files.map((f) => f.name),
    blobs: { count: manifest.blobs.length, bytes: manifest.blobs.reduce((sum, b) => sum + b.size, 0) },
    checksumsVerified: manifest.databases.length + manifest.files.length + manifest.blobs.length,
  };
}
