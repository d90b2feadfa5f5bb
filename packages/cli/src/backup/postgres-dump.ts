import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { SERVICE_NAMES } from '@marquee/core';

const run = promisify(execFile);

/**
 * The URL without its password, and the password apart: pg_dump and pg_restore get the password in
 * PGPASSWORD so that it never shows in the process list.
 */
export function splitPassword(url: string): { url: string; password: string | undefined } {
  const parsed = new URL(url);
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  parsed.password = '';
  return { url: parsed.toString(), password };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Marquee's schemas in this database: one per service that has tables (users, streaming, …). */
export function marqueeSchemas(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ nspname: string }>(
      'select nspname from pg_namespace where nspname = any($1) order by nspname',
      [[...SERVICE_NAMES]],
    );
    return rows.map((r) => r.nspname);
  });
}

/** The Marquee schemas that hold at least one table (what a restore would overwrite). */
export function schemasWithTables(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ schemaname: string }>(
      'select distinct schemaname from pg_tables where schemaname = any($1) order by schemaname',
      [[...SERVICE_NAMES]],
    );
    return rows.map((r) => r.schemaname);
  });
}

async function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[], databaseUrl: string): Promise<void> {
  const { url, password } = splitPassword(databaseUrl);
  try {
    await run(tool, [...args, `--dbname=${url}`], {
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { code, stderr } = error as { code?: string | number; stderr?: string };
    if (code === 'ENOENT') {
      throw new Error(
        `${tool} is not installed: apt-get install postgresql-client (the same major version as the server)`,
      );
    }
    throw new Error(`${tool} failed: ${(stderr ?? String(error)).trim().split('\n').slice(-5).join(' | ')}`);
  }
}

/**
 * One consistent logical dump of the schemas (pg_dump runs in one repeatable-read transaction), in the
 * custom format pg_restore reads, written to `file`.
 */
export function dumpSchemas(databaseUrl: string, schemas: readonly string[], file: string): Promise<void> {
  const args = ['--format=custom', `--file=${file}`, '--no-owner', '--no-privileges'];
  for (const schema of schemas) args.push(`--schema=${schema}`);
  return runPgTool('pg_dump', args, databaseUrl);
}

/** Restores a custom-format dump; `replace` drops the objects it is about to create first. */
export function restoreDump(databaseUrl: string, file: string, replace: boolean): Promise<void> {
  const args = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction'];
  if (replace) args.push('--clean', '--if-exists');
  return runPgTool('pg_restore', [...args, file], databaseUrl);
}
