import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, type Settings } from '@marquee/core';
import { formatBytes } from '../progress-bar.js';
import { listBackups, pruneBackups, readManifest, resolveBackupId } from './catalogue.js';
import { backupTime } from './manifest.js';
import { restoreBackup, RestoreRefusedError, RestoreVerificationError } from './restore.js';
import { testRestore } from './restore-test.js';
import { takeBackup } from './take-backup.js';
import { openBackupTarget, openPlatformBlobStore } from '@marquee/platform';
import { loadMarqueeSettings } from '../settings.js';

export const BACKUP_USAGE = `  marquee backup [--json]          back up databases, event log and blobs now, to BACKUP_TARGET
  marquee backup list [--json]     the backups in BACKUP_TARGET, newest last
  marquee backup verify [id|latest] [--json]
                                  restore test: restore into a scratch place, verify every SHA-256,
                                  check the restored databases; recorded beside the backup
  marquee restore <id|latest> [--force] [--json]
                                  restore into an empty data directory (--force overwrites), verifying every SHA-256`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function backupNow(settings: Settings, json: boolean): Promise<void> {
  const dataDir = resolve(settings.MARQUEE_DATA_DIR);
  const target = await openBackupTarget(settings);
  const blobs = await openPlatformBlobStore(settings, dataDir);
  try {
    if (!json)
      console.log(
        `backing up ${dataDir}${settings.DATABASE_URL ? ' and PostgreSQL' : ''} to ${target.description}`,
      );
    const { manifest, corrupt } = await takeBackup(
      { dataDir, blobs, ...(settings.DATABASE_URL ? { databaseUrl: settings.DATABASE_URL } : {}) },
      target,
    );
    const pruned = await pruneBackups(target, settings.BACKUP_RETENTION, new Date());
    if (json) {
      console.log(
        JSON.stringify({
          id: manifest.id,
          target: target.description,
          stats: manifest.stats,
          corrupt,
          pruned,
        }),
      );
    } else {
      const s = manifest.stats;
      console.log(`backup ${manifest.id} taken in ${seconds(s.durationMs)}`);
      console.log(
        `  databases: ${manifest.databases.map((d) => `${d.name} (${formatBytes(d.size)})`).join(', ')}`,
      );
      console.log(
        `  blobs: ${manifest.blobs.length} (${s.blobsCopied} copied, ${s.blobsAlreadyThere} already in the target); ${formatBytes(s.bytesCopied)} written`,
      );
      if (pruned.removedBackups.length > 0)
        console.log(
          `  removed by BACKUP_RETENTION=${settings.BACKUP_RETENTION}: ${pruned.removedBackups.join(', ')}`,
        );
      for (const line of corrupt) console.error(`  LEFT OUT, corrupt in the blob store: ${line}`);
    }
    if (corrupt.length > 0) process.exitCode = 1;
  } finally {
    await Promise.allSettled([blobs.close(), target.close()]);
  }
}

async function list(settings: Settings, json: boolean): Promise<void> {
  const target = await openBackupTarget(settings);
  try {
    const { finished, unfinished } = await listBackups(target);
    const rows = [];
    for (const id of finished) {
      const m = await readManifest(target, id);
      rows.push({
        id,
        startedAt: m.startedAt,
        database: m.database,
        totalBytes: m.stats.totalBytes,
        blobs: m.blobs.length,
        durationMs: m.stats.durationMs,
      });
    }
    if (json) {
      console.log(JSON.stringify({ target: target.description, backups: rows, unfinished }));
      return;
    }
    console.log(`backups in ${target.description}:`);
    if (rows.length === 0) console.log('  none');
    for (const r of rows) {
      const age = (Date.now() - backupTime(r.id).getTime()) / 3_600_000;
      console.log(
        `  ${r.id}  ${r.database.padEnd(8)}  ${formatBytes(r.totalBytes).padStart(9)}  ${String(r.blobs).padStart(6)} blobs  ${age.toFixed(1)} h old`,
      );
    }
    for (const id of unfinished) console.log(`  ${id}  unfinished (crashed, or running now)`);
  } finally {
    await target.close();
  }
}

async function verify(settings: Settings, wanted: string, json: boolean): Promise<void> {
  const target = await openBackupTarget(settings);
  try {
    const id = await resolveBackupId(target, wanted);
    if (!json) console.log(`restore test of backup ${id} from ${target.description}`);
    const record = await testRestore(target, id, {
      ...(settings.DATABASE_URL ? { databaseUrl: settings.DATABASE_URL } : {}),
    });
    if (!record.ok) process.exitCode = 1;
    if (json) {
      console.log(JSON.stringify(record));
      return;
    }
    console.log(
      `  ${record.ok ? 'PASSED' : 'FAILED'} in ${seconds(record.durationMs)}: ${record.checksumsVerified} SHA-256 checksums verified`,
    );
    for (const [database, tables] of Object.entries(record.rowCounts)) {
      const rows = Object.values(tables).reduce((sum, n) => sum + n, 0);
      console.log(`  ${database}: ${Object.keys(tables).length} tables, ${rows} rows`);
    }
    for (const problem of record.problems) console.error(`  problem: ${problem}`);
  } finally {
    await target.close();
  }
}

async function restore(settings: Settings, wanted: string, force: boolean, json: boolean): Promise<void> {
  const dataDir = resolve(settings.MARQUEE_DATA_DIR);
  const target = await openBackupTarget(settings);
  try {
    const id = await resolveBackupId(target, wanted);
    if (!json)
      console.log(
        `restoring backup ${id} from ${target.description} into ${dataDir}${settings.DATABASE_URL ? ' and PostgreSQL' : ''}`,
      );
    const report = await restoreBackup(
      target,
      id,
      {
        dataDir,
        ...(settings.DATABASE_URL ? { databaseUrl: settings.DATABASE_URL } : {}),
        openBlobs: () => openPlatformBlobStore(settings, dataDir),
        blobsInDataDir: !settings.S3_BUCKET,
      },
      { force },
    );
    if (json) {
      console.log(JSON.stringify(report));
      return;
    }
    console.log(`restored backup ${report.id}:`);
    for (const d of report.databases) console.log(`  database ${d.name} (${formatBytes(d.size)})`);
    for (const f of report.files) console.log(`  file ${f}`);
    console.log(`  ${report.blobs.count} blobs (${formatBytes(report.blobs.bytes)})`);
    console.log(
      `  ${report.checksumsVerified} SHA-256 checksums verified; start the platform with \`marquee start\``,
    );
  } catch (error) {
    if (error instanceof RestoreRefusedError || error instanceof RestoreVerificationError) {
      throw new ConfigError([error.message]);
    }
    throw error;
  } finally {
    await target.close();
  }
}

/** `marquee backup …` */
export async function backupCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const settings = loadMarqueeSettings(process.env);
  if (positionals.length === 0) return backupNow(settings, values.json ?? false);
  if (positionals[0] === 'list' && positionals.length === 1) return list(settings, values.json ?? false);
  if (positionals[0] === 'verify' && positionals.length <= 2)
    return verify(settings, positionals[1] ?? 'latest', values.json ?? false);
  throw new ConfigError([`usage:\n${BACKUP_USAGE}`]);
}

/** `marquee restore <id|latest> [--force]` */
export async function restoreCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new ConfigError([`usage:\n${BACKUP_USAGE}`]);
  return restore(
    loadMarqueeSettings(process.env),
    positionals[0]!,
    values.force ?? false,
    values.json ?? false,
  );
}
