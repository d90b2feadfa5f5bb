import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '@marquee/core';
import { openBlobStore, readRestoreTest } from '@marquee/platform';
import { listBackups, readManifest } from './catalogue.js';
import { appendToMetricsEndpoint, BackupMetrics } from './metrics.js';
import { startBackupSchedule } from './schedule.js';
import { openBackupTarget } from '@marquee/platform';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-schedule-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const until = async (what: string, check: () => Promise<boolean>) => {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('the backup schedule', () => {
  it('backs up every interval, keeps BACKUP_RETENTION backups and reports the newest one’s age', async () => {
    const root = await tempDir();
    const dataDir = join(root, 'data');
    const blobs = await openBlobStore({ root: join(dataDir, 'blobs') });
    const db = new SqliteDriver(join(dataDir, 'users.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE accounts (email TEXT)');
    cleanup.push(async () => void db.close());
    await blobs.put('assets/a1/seg_1.m4s', 'bytes');
    const settings = loadSettings({
      MARQUEE_DATA_DIR: dataDir,
      BACKUP_INTERVAL: '1s',
      BACKUP_RETENTION: '2',
    });
    const metrics = new BackupMetrics();
    const app = Fastify();
    app.get('/metrics', async () => 'service_up 1\n');
    appendToMetricsEndpoint(app, metrics.registry, 'storage');
    cleanup.push(() => app.close());

    const schedule = await startBackupSchedule({
      settings,
      dataDir,
      blobs,
      logger: pino({ level: 'silent' }),
      metrics,
    });
    expect(schedule).toBeDefined();
    const before = await app.inject('/metrics');
    expect(before.body).toMatch(/^service_up 1\n/);
    expect(before.body).toMatch(/marquee_backup_newest_age_seconds\{service="storage"\} \+Inf/);
    expect(before.body).toMatch(/marquee_backup_interval_seconds\{service="storage"\} 1\n/);

    const target = await openBackupTarget(settings);
    cleanup.push(() => target.close());
    let rounds = 0;
    await until('four scheduled backups', async () => {
      db.prepare('INSERT INTO accounts VALUES (?)').run(`a${(rounds += 1)}@x`);
      const text = await metrics.registry.getSingleMetricAsString('marquee_backup_runs_total');
      return /outcome="ok"[^\n]* ([4-9]|\d\d)\n?/.test(text);
    });
    await schedule!.stop();
    const { finished } = await listBackups(target);
    expect(finished).toHaveLength(2);
    const newest = await readManifest(target, finished.at(-1)!);
    expect(newest.databases.map((d) => d.name)).toEqual(['users.sqlite']);
    expect(newest.blobs.map((b) => b.key)).toEqual(['assets/a1/seg_1.m4s']);
    expect(newest.stats.blobsAlreadyThere).toBe(1); // copied once, by the first backup
    const age = /marquee_backup_newest_age_seconds\{service="storage"\} ([0-9.e-]+)/.exec(
      (await app.inject('/metrics')).body,
    );
    expect(Number(age?.[1])).toBeLessThan(5);
    // Each scheduled backup was restore-tested, and passed.
    const body = (await app.inject('/metrics')).body;
    expect(body).toMatch(/marquee_backup_restore_test_ok\{service="storage"\} 1\n/);
    expect(body).toMatch(/marquee_backup_restore_tests_total\{[^}]*outcome="passed"[^}]*\} [4-9]/);
    expect(body).not.toMatch(/outcome="failed"/);
  }, 60_000);

  it('takes backups without restore tests with BACKUP_RESTORE_TEST=false', async () => {
    const root = await tempDir();
    const dataDir = join(root, 'data');
    const blobs = await openBlobStore({ root: join(dataDir, 'blobs') });
    await blobs.put('assets/a1/seg_1.m4s', 'bytes');
    const settings = loadSettings({
      MARQUEE_DATA_DIR: dataDir,
      BACKUP_INTERVAL: '1h',
      BACKUP_RESTORE_TEST: 'false',
    });
    const metrics = new BackupMetrics();
    const schedule = await startBackupSchedule({
      settings,
      dataDir,
      blobs,
      logger: pino({ level: 'silent' }),
      metrics,
    });
    cleanup.push(() => schedule!.stop());
    const id = await schedule!.runNow();
    const target = await openBackupTarget(settings);
    cleanup.push(() => target.close());
    expect((await listBackups(target)).finished).toEqual([id]);
    expect(await readRestoreTest(target, id)).toBeUndefined();
    expect(await metrics.registry.getSingleMetricAsString('marquee_backup_restore_tests_total')).not.toMatch(
      /outcome=/,
    );
  });

  it('is off with BACKUP_INTERVAL=off', async () => {
    const dataDir = await tempDir();
    const settings = loadSettings({ MARQUEE_DATA_DIR: dataDir, BACKUP_INTERVAL: 'off' });
    const blobs = await openBlobStore({ root: join(dataDir, 'blobs') });
    const schedule = await startBackupSchedule({
      settings,
      dataDir,
      blobs,
      logger: pino({ level: 'silent' }),
      metrics: new BackupMetrics(),
    });
    expect(schedule).toBeUndefined();
  });
});
