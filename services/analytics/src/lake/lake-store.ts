import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { sqlPaths, sqlString, type Duck } from './duck.js';
import type { LakeMirror } from './lake-mirror.js';
import { jsonColumns, LAKE_TABLES, type LakeRow, type LakeTable } from './tables.js';

const DATE_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;
const PARQUET = /^[A-Za-z0-9_.-]+\.parquet$/;
/** A compacted part's name: `c<ms>-<digest>.parquet`. Only these carry a replaced list. */
const COMPACTED = /^c\d+-[0-9a-f]+\.parquet$/;
/**
 * The Parquet key-value metadata key under which a compacted part names the parts it replaces (a JSON
 * array of file names in its partition). Part of the lake's public layout: outside engines use it too.
 */
export const REPLACES_KEY = 'marquee.replaces';

/** DuckDB's or Node's "that file is not there" (a part deleted between a listing and its read). */
export function isMissingFile(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /No such file|No files found|ENOENT/i.test(message);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The event lake on a filesystem: plain Parquet files, `<root>/<table>/date=YYYY-MM-DD/<part>.parquet`,
 * that any engine opens by path (`read_parquet('<root>/telemetry/*\/*.parquet', hive_partitioning=true)`).
 *
 * Why not through the blob store port: its filesystem adapter keeps a 4 KiB header in front of every
 * object (object-file.ts), so its files are not Parquet an outside engine can open. On S3 the lake's
 * parts are also plain objects under `lake/` (`mirror`, lake-mirror.ts): the bucket is the truth,
 * this folder its copy that DuckDB reads, kept in step by sync().
 *
 * A part is written beside its partition under `_tmp/` (Hive readers skip `_` folders), fsynced, then
 * renamed in: a reader sees the whole file or none of it.
 *
 * The layout rule that lets queries skip de-duplication: the parts `files()` returns hold each event
 * id once. The writer never puts an id twice into a partition, and a compacted part carries, in its
 * own Parquet metadata (REPLACES_KEY), the names of the parts it merged; `files()` leaves those out.
 * So between compaction's rename and its deletes, after a crash there, or on a replica that fetched
 * the merged part before dropping the small ones, a reader sees one copy of each row: the list travels
 * inside the file that makes it true, with no second file to be seen without the first.
 */
export class LakeStore {
  constructor(
    readonly root: string,
    private readonly duck: Duck,
    private readonly mirror?: LakeMirror,
  ) {}

  /** A part's path relative to the root, '/'-separated: its key under `lake/` in the bucket. */
  private relative(table: LakeTable, date: string, file: string): string {
    return `${table}/date=${date}/${basename(file)}`;
  }

  /** Absolute path of a partition's folder. */
  partition(table: LakeTable, date: string): string {
    return join(this.root, table, `date=${date}`);
  }

  /** The glob an outside engine (and our queries) reads a table with. */
  glob(table: LakeTable): string {
    return join(this.root, table, '*', '*.parquet');
  }

  async dates(table: LakeTable): Promise<string[]> {
    const entries = await readdir(join(this.root, table)).catch(() => [] as string[]);
    return entries.flatMap((e) => DATE_DIR.exec(e)?.[1] ?? []).sort();
  }

  /**
   * The parts of one partition a reader should open, absolute paths, in name order: every Parquet file
   * except those a compacted part there replaces. They hold each event id once.
   */
  async files(table: LakeTable, date: string): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      const listed = await this.listed(table, date);
      try {
        const replaced = await this.replaced(listed);
        return listed.filter((f) => !replaced.has(basename(f)));
      } catch (err) {
        // A compacted part merged again and deleted since the listing: list again.
        if (attempt >= 3 || !isMissingFile(err)) throw err;
      }
    }
  }

  /** Every Parquet file of a partition, replaced ones included (compaction and sync work on these). */
  async listed(table: LakeTable, date: string): Promise<string[]> {
    const dir = this.partition(table, date);
    const entries = await readdir(dir).catch(() => [] as string[]);
    return entries
      .filter((e) => PARQUET.test(e))
      .sort()
      .map((e) => join(dir, e));
  }

  /** Names (in their partition) the compacted parts among `files` replace. */
  private async replaced(files: readonly string[]): Promise<Set<string>> {
    const compacted = files.filter((f) => COMPACTED.test(basename(f)));
    const unread = compacted.filter((f) => !this.replacedBy.has(f));
    if (unread.length > 0) {
      const rows = await this.duck.rows<{ file: string; names: string }>(
        `SELECT file_name AS file, decode(value) AS names FROM parquet_kv_metadata(${sqlPaths(unread)})
         WHERE decode(key) = ${sqlString(REPLACES_KEY)}`,
      );
      const found = new Map(rows.map((r) => [r.file, JSON.parse(r.names) as string[]]));
      // A part's bytes never change under its name, so its list is read once per process.
      for (const f of unread) this.replacedBy.set(f, found.get(f) ?? []);
    }
    return new Set(compacted.flatMap((f) => this.replacedBy.get(f) ?? []));
  }

  private readonly replacedBy = new LRUCache<string, string[]>({ max: 10_000 });

  /** Every Parquet file of a table (optionally only partitions in [from, to]). */
  async allFiles(table: LakeTable, range?: { from: string; to: string }): Promise<string[]> {
    const dates = (await this.dates(table)).filter((d) => !range || (d >= range.from && d <= range.to));
    return (await Promise.all(dates.map((d) => this.files(table, d)))).flat();
  }

  /**
   * Writes rows as one part of a partition; `name` (without extension) must be unique in the partition.
   * Returns the part's path. Rows pass through NDJSON into DuckDB's COPY, which types them by the
   * table's declared columns.
   */
  async write(table: LakeTable, date: string, rows: readonly LakeRow[], name: string): Promise<string> {
    const dir = this.partition(table, date);
    const tmp = join(this.root, '_tmp');
    await Promise.all([mkdir(dir, { recursive: true }), mkdir(tmp, { recursive: true })]);
    const scratch = join(tmp, `${name}-${randomBytes(4).toString('hex')}`);
    const json = `${scratch}.ndjson`;
    const parquet = `${scratch}.parquet`;
    try {
      await writeFile(json, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      await this.duck.run(
        `COPY (SELECT * FROM read_json(${sqlString(json)}, format = 'newline_delimited',
           columns = ${jsonColumns(table)}, maximum_object_size = 67108864) ORDER BY time)
         TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      await fsyncPath(parquet);
      const target = join(dir, `${name}.parquet`);
      // In the bucket before it is visible here: a crash between leaves it only in the bucket, where
      // the next sync fetches it (and a redelivery finds it: present() syncs before it looks).
      await this.mirror?.put(this.relative(table, date, target), parquet);
      await rename(parquet, target);
      await fsyncPath(dir);
      return target;
    } finally {
      await Promise.all([rm(json, { force: true }), rm(parquet, { force: true })]);
    }
  }

  /** Which of `ids` a partition already holds (redelivered events must not be written twice). */
  async present(table: LakeTable, date: string, ids: readonly string[]): Promise<Set<string>> {
    // On S3 a part in the bucket may not be here yet (another replica's, or ours put just before a
    // crash): the bucket is the truth, so it is fetched before asking.
    if (this.mirror) await this.sync();
    const files = await this.files(table, date);
    if (files.length === 0 || ids.length === 0) return new Set();
    const found = await this.duck.rows<{ id: string }>(
      `SELECT DISTINCT id FROM read_parquet(${sqlPaths(files)})
       WHERE id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`,
      { ids: JSON.stringify(ids) },
    );
    return new Set(found.map((r) => r.id));
  }

  /**
   * Merges a partition's parts into one when it has at least `minFiles`, keeping one row per event id.
   * The merged part names every part it merged (REPLACES_KEY), so readers leave those out from the
   * moment it is renamed in: the deletes after are housekeeping, and a crash before them leaves files
   * no query reads (the next compaction merges and deletes them). Returns the number of parts merged
   * (0: nothing to do).
   */
  async compact(table: LakeTable, date: string, minFiles: number): Promise<number> {
    const files = await this.listed(table, date);
    if (files.length < minFiles) return 0;
    const digest = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
    const tmp = join(this.root, '_tmp');
    await mkdir(tmp, { recursive: true });
    const parquet = join(tmp, `compact-${digest}-${randomBytes(4).toString('hex')}.parquet`);
    const columns = Object.keys(LAKE_TABLES[table]).join(', ');
    try {
      await this.duck.run(
        `COPY (SELECT ${columns} FROM read_parquet(${sqlPaths(files)}, union_by_name = true)
               QUALIFY row_number() OVER (PARTITION BY id ORDER BY time) = 1 ORDER BY time)
         TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION zstd,
           KV_METADATA {${sqlString(REPLACES_KEY)}: ${sqlString(JSON.stringify(files.map((f) => basename(f))))}})`,
      );
      await fsyncPath(parquet);
      // 'c' sorts after the digits of writer parts: the merged part reads as the newest name.
      const target = join(this.partition(table, date), `c${Date.now()}-${digest}.parquet`);
      await this.mirror?.put(this.relative(table, date, target), parquet);
      await rename(parquet, target);
      await fsyncPath(this.partition(table, date));
      // The bucket's copies go first: a sync between would otherwise fetch them back.
      await this.mirror?.delete(files.map((f) => this.relative(table, date, f)));
      for (const file of files) await rm(file, { force: true });
      return files.length;
    } finally {
      await rm(parquet, { force: true });
    }
  }

  /** Removes whole partitions (the lake's retention decides which: app/lake-retention.ts). */
  async expire(table: LakeTable, dates: readonly string[]): Promise<void> {
    for (const date of dates) {
      if (this.mirror) await this.mirror.delete(await this.mirror.list(`${table}/date=${date}/`));
      await rm(this.partition(table, date), { recursive: true, force: true });
    }
  }

  /**
   * Makes this folder the bucket's copy (only with a mirror): fetches the parts other replicas wrote
   * or merged, and drops the ones their compaction or retention deleted. The local listing is taken
   * before the bucket's, so a part renamed in here (put first) is always in the bucket's listing
   * unless it was deleted there. A folder that held parts before the bucket did loses them: copy it
   * to the bucket first (docs/analytics.md).
   */
  sync(): Promise<{ fetched: number; dropped: number }> {
    // One at a time: the timer's and maintenance's rounds share the one in progress.
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private syncing: Promise<{ fetched: number; dropped: number }> | undefined;

  private async syncOnce(): Promise<{ fetched: number; dropped: number }> {
    if (!this.mirror) return { fetched: 0, dropped: 0 };
    const local = new Map<string, string>();
    for (const table of Object.keys(LAKE_TABLES) as LakeTable[]) {
      for (const date of await this.dates(table)) {
        for (const file of await this.listed(table, date)) local.set(this.relative(table, date, file), file);
      }
    }
    const remote = new Set(await this.mirror.list());
    let fetched = 0;
    let dropped = 0;
    for (const path of remote) {
      if (local.has(path)) continue;
      const [table, dateDir, name] = path.split('/');
      const date = DATE_DIR.exec(dateDir ?? '')?.[1];
      if (
        !(table && table in LAKE_TABLES) ||
        !date ||
        !name ||
        !PARQUET.test(name) ||
        path.split('/').length !== 3
      )
        continue; // not a part of ours: leave it alone
      const dir = this.partition(table as LakeTable, date);
      const tmp = join(this.root, '_tmp');
      await Promise.all([mkdir(dir, { recursive: true }), mkdir(tmp, { recursive: true })]);
      const scratch = join(tmp, `sync-${randomBytes(6).toString('hex')}.parquet`);
      try {
        await this.mirror.download(path, scratch);
        await fsyncPath(scratch);
        await rename(scratch, join(dir, name));
        fetched += 1;
      } finally {
        await rm(scratch, { force: true });
      }
    }
    for (const [path, file] of local) {
      if (remote.has(path)) continue;
      await rm(file, { force: true });
      dropped += 1;
    }
    return { fetched, dropped };
  }
}
