import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { RestoreTestRecord } from '@marquee/contracts';
import { openBlobStore, writeRestoreTest, type BackupTarget } from '@marquee/platform';
import { readManifest } from './catalogue.js';
import { checkPostgres, checkSqliteFile, type ConsistencyReport } from './consistency.js';
import { restoreBackup } from './restore.js';

export interface RestoreTestOptions {
  /**
   * The install's DATABASE_URL. A PostgreSQL backup is restored into a scratch database created on
   * that server for the test and dropped after it (the role needs CREATEDB).
   */
  databaseUrl?: string;
  /** Where the scratch data directory is made (default: the system's temporary directory). */
  scratchRoot?: string;
  now?: () => Date;
}

/** A database of its own on the server of `url`, and the URL that reaches it. */
async function createScratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `marquee_restore_test_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/**
 * The restore test: backup `id` is restored with the same code as `marquee restore` into a scratch
 * place (a temporary data directory and blob folder; a scratch PostgreSQL database for a PostgreSQL
 * backup), so every database, file and blob is fetched and its SHA-256 compared with the manifest; the
 * restored databases are then opened and checked (integrity, foreign keys, orphans) and their rows
 * counted. The outcome is recorded beside the backup in the target and returned; the scratch place is
 * removed. It never throws for what it finds wrong with the backup: that is a failed test, recorded.
 */
export async function testRestore(
  target: BackupTarget,
  id: string,
  options: RestoreTestOptions = {},
): Promise<RestoreTestRecord> {
  const now = options.now ?? (() => new Date());
  const started = now();
  // An unknown id is the caller's mistake, not a failed test: nothing is recorded for it.
  const manifest = await readManifest(target, id);
  const report: ConsistencyReport = { rowCounts: {}, problems: [] };
  let checksumsVerified = 0;
  const scratch = await mkdtemp(join(options.scratchRoot ?? tmpdir(), 'marquee-restore-test-'));
  let database: { url: string; drop(): Promise<void> } | undefined;
  try {
    if (manifest.database === 'postgres') {
      if (!options.databaseUrl) throw new Error('a PostgreSQL backup needs DATABASE_URL to be tested');
      database = await createScratchDatabase(options.databaseUrl);
    }
    const dataDir = join(scratch, 'data');
    const restored = await restoreBackup(
      target,
      id,
      {
        dataDir,
        ...(database ? { databaseUrl: database.url } : {}),
        openBlobs: () => openBlobStore({ root: join(dataDir, 'blobs') }),
        blobsInDataDir: true,
      },
      { force: false },
    );
    checksumsVerified = restored.checksumsVerified;
    for (const entry of manifest.databases) {
      if (entry.name.endsWith('.sqlite')) checkSqliteFile(join(dataDir, entry.name), entry.name, report);
    }
    if (database) await checkPostgres(database.url, manifest.schemas, report);
  } catch (error) {
    report.problems.push((error as Error).message);
  } finally {
    await database?.drop().catch((error: unknown) => {
      report.problems.push(`the scratch database was not dropped: ${(error as Error).message}`);
    });
    await rm(scratch, { recursive: true, force: true });
  }
  const finished = now();
  const record: RestoreTestRecord = {
    format: 1,
    backupId: id,
    testedAt: finished.toISOString(),
    ok: report.problems.length === 0,
    durationMs: finished.getTime() - started.getTime(),
    checksumsVerified,
    rowCounts: report.rowCounts,
    problems: report.problems,
  };
  await writeRestoreTest(target, record);
  return record;
}
