import SqliteDriver from 'better-sqlite3';
import pg from 'pg';

/**
 * Rows that point at nothing, per service: what a torn copy (files snapshotted at different instants,
 * a dump that is not one transaction) would leave behind. Foreign keys forbid them in a live database,
 * so any found in a restored one means the backup is not the consistent point it claims to be.
 * `t` names a table of the service (a bare name in its SQLite file, schema-qualified in PostgreSQL).
 */
const ORPHAN_CHECKS: {
  service: string;
  what: string;
  tables: string[];
  sql: (t: (table: string) => string) => string;
}[] = [
  {
    service: 'users',
    what: 'profiles without their account',
    tables: ['profiles', 'accounts'],
    sql: (t) =>
      `SELECT count(*) AS n FROM ${t('profiles')} p LEFT JOIN ${t('accounts')} a ON a.account_id = p.account_id WHERE a.account_id IS NULL`,
  },
  ...['ratings', 'my_list', 'viewing_history'].map((table) => ({
    service: 'users',
    what: `${table} rows without their profile and account`,
    tables: [table, 'profiles', 'accounts'],
    sql: (t: (table: string) => string) =>
      `SELECT count(*) AS n FROM ${t(table)} r LEFT JOIN ${t('profiles')} p ON p.profile_id = r.profile_id LEFT JOIN ${t('accounts')} a ON a.account_id = p.account_id WHERE a.account_id IS NULL`,
  })),
  {
    service: 'streaming',
    what: 'assets without their title',
    tables: ['assets', 'titles'],
    sql: (t) =>
      `SELECT count(*) AS n FROM ${t('assets')} a LEFT JOIN ${t('titles')} t ON t.title_id = a.title_id WHERE t.title_id IS NULL`,
  },
  {
    service: 'streaming',
    what: 'episodes without their series',
    tables: ['titles'],
    sql: (t) =>
      `SELECT count(*) AS n FROM ${t('titles')} e LEFT JOIN ${t('titles')} s ON s.title_id = e.series_id WHERE e.series_id IS NOT NULL AND s.title_id IS NULL`,
  },
];

export interface ConsistencyReport {
  /** Rows per table, per database (`users`, `streaming`, `events`…). */
  rowCounts: Record<string, Record<string, number>>;
  problems: string[];
}

/** The database's name for reports: `users.sqlite` → `users`. */
const databaseName = (file: string) => file.replace(/\.sqlite$/, '');

/** Opens one restored SQLite file and checks it: integrity, foreign keys, orphans; counts its rows. */
export function checkSqliteFile(path: string, file: string, report: ConsistencyReport): void {
  const name = databaseName(file);
  let db: SqliteDriver.Database;
  try {
    db = new SqliteDriver(path, { fileMustExist: true });
  } catch (error) {
    report.problems.push(`${file}: does not open (${(error as Error).message})`);
    return;
  }
  try {
    const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
    const messages = integrity.map((r) => r.integrity_check).filter((m) => m !== 'ok');
    if (messages.length > 0)
      report.problems.push(`${file}: integrity_check: ${messages.slice(0, 5).join('; ')}`);
    const dangling = db.pragma('foreign_key_check') as { table: string; parent: string }[];
    for (const row of dangling.slice(0, 5)) {
      report.problems.push(`${file}: a ${row.table} row points at a missing ${row.parent} row`);
    }
    const tables = (
      db
        .prepare(
          `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
        )
        .all() as { name: string }[]
    ).map((r) => r.name);
    const counts: Record<string, number> = {};
    for (const table of tables) {
      counts[table] = (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    }
    report.rowCounts[name] = counts;
    for (const check of ORPHAN_CHECKS.filter((c) => c.service === name)) {
      if (!check.tables.every((table) => table in counts)) continue;
      const { n } = db.prepare(check.sql((table) => `"${table}"`)).get() as { n: number };
      if (n > 0) report.problems.push(`${file}: ${n} ${check.what}`);
    }
  } finally {
    db.close();
  }
}

/** Counts every table of `schemas` in a restored PostgreSQL database and looks for orphans. */
export async function checkPostgres(
  url: string,
  schemas: readonly string[],
  report: ConsistencyReport,
): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ schemaname: string; tablename: string }>(
      'SELECT schemaname, tablename FROM pg_tables WHERE schemaname = any($1) ORDER BY 1, 2',
      [[...schemas]],
    );
    for (const schema of schemas) {
      const counts: Record<string, number> = {};
      for (const { tablename } of rows.filter((r) => r.schemaname === schema)) {
        const result = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM "${schema}"."${tablename}"`,
        );
        counts[tablename] = Number(result.rows[0]!.n);
      }
      report.rowCounts[schema] = counts;
      for (const check of ORPHAN_CHECKS.filter((c) => c.service === schema)) {
        if (!check.tables.every((table) => table in counts)) continue;
        const result = await client.query<{ n: string }>(check.sql((table) => `"${schema}"."${table}"`));
        const n = Number(result.rows[0]!.n);
        if (n > 0) report.problems.push(`PostgreSQL schema ${schema}: ${n} ${check.what}`);
      }
    }
  } finally {
    await client.end();
  }
}
