import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import SqliteDriver from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { holdConsistentSnapshots, sqliteFilesIn } from './sqlite-snapshot.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-snapshot-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function createTable(file: string): void {
  const db = new SqliteDriver(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE rows (n INTEGER PRIMARY KEY)');
  db.close();
}

/**
 * Another thread (as another process would) writes n into a.sqlite and then n into b.sqlite, one
 * commit each, as fast as it can: at any single instant b holds n-1 or n rows when a holds n.
 */
async function startPairWriter(dir: string): Promise<{ stop(): Promise<number> }> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(
    `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const a = new Database(workerData.a, { timeout: 5000 });
    const b = new Database(workerData.b, { timeout: 5000 });
    const intoA = a.prepare('INSERT INTO rows (n) VALUES (?)');
    const intoB = b.prepare('INSERT INTO rows (n) VALUES (?)');
    let stop = false;
    parentPort.on('message', () => { stop = true; });
    let n = 0;
    parentPort.postMessage('writing');
    const burst = () => {
      for (let i = 0; i < 50 && !stop; i++) { n++; intoA.run(n); intoB.run(n); }
      if (stop) { parentPort.postMessage(n); a.close(); b.close(); } else setImmediate(burst);
    };
    burst();
    `,
    { eval: true, workerData: { driver, a: join(dir, 'a.sqlite'), b: join(dir, 'b.sqlite') } },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    stop: () =>
      new Promise<number>((resolve) => {
        worker.once('message', (n: number) => void worker.terminate().then(() => resolve(n)));
        worker.postMessage('stop');
      }),
  };
}

function count(file: string): number {
  const db = new SqliteDriver(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS c FROM rows').get() as { c: number }).c;
  } finally {
    db.close();
  }
}

describe('holdConsistentSnapshots', () => {
  it('lists the SQLite files of a data directory', async () => {
    const dir = await tempDir();
    createTable(join(dir, 'users.sqlite'));
    createTable(join(dir, 'events.sqlite'));
    expect(await sqliteFilesIn(dir)).toEqual(['events.sqlite', 'users.sqlite']);
    expect(await sqliteFilesIn(join(dir, 'absent'))).toEqual([]);
  });

  it('copies several files as of one instant while another thread keeps writing to all of them', async () => {
    const dir = await tempDir();
    createTable(join(dir, 'a.sqlite'));
    createTable(join(dir, 'b.sqlite'));
    const writer = await startPairWriter(dir);
    try {
      for (let round = 0; round < 8; round += 1) {
        const out = join(dir, `copy-${round}`);
        await import('node:fs/promises').then((fs) => fs.mkdir(out));
        const held = await holdConsistentSnapshots(dir, ['a.sqlite', 'b.sqlite']);
        try {
          // Copying takes a while; the writer goes on meanwhile, and neither copy may see it.
          for (const snapshot of held) await snapshot.copyTo(join(out, snapshot.name));
        } finally {
          for (const snapshot of held) snapshot.release();
        }
        const [a, b] = [count(join(out, 'a.sqlite')), count(join(out, 'b.sqlite'))];
        expect(a, `round ${round}`).toBeGreaterThan(0);
        expect(a - b, `round ${round}: a has ${a} rows, b ${b}`).toBeGreaterThanOrEqual(0);
        expect(a - b, `round ${round}: a has ${a} rows, b ${b}`).toBeLessThanOrEqual(1);
      }
    } finally {
      const written = await writer.stop();
      expect(written).toBeGreaterThan(500);
    }
  }, 60_000);

  it('waits for a writer of this process that holds a lock across an await, then snapshots', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a.sqlite');
    createTable(file);
    const writer = new SqliteDriver(file);
    cleanup.push(async () => void writer.close());
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare('INSERT INTO rows (n) VALUES (1)').run();
    const committing = new Promise<void>((resolve) =>
      setTimeout(() => {
        writer.exec('COMMIT');
        resolve();
      }, 150),
    );
    const held = await holdConsistentSnapshots(dir, ['a.sqlite']);
    await committing;
    await held[0]!.copyTo(join(dir, 'copy.sqlite'));
    held[0]!.release();
    expect(count(join(dir, 'copy.sqlite'))).toBe(1);
  });
});
