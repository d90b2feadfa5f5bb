import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

/** A SQL string literal: lake paths are ours, but a quote in a data directory must not break a query. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A list of paths as a DuckDB list literal, for read_parquet. */
export function sqlPaths(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/**
 * The analytics service's DuckDB: in memory (the lake's files are the only state), reading and writing
 * Parquet by path. Rows come back as plain JSON values (BIGINT as number: counts fit; timestamps as ISO strings). One connection
 * per call, so queries run in parallel on DuckDB's own threads.
 */
export class Duck {
  private constructor(private readonly instance: DuckDBInstance) {}

  /** Sees every statement before it runs (bench/analytics replays the slowest question's under EXPLAIN ANALYZE). */
  onStatement: ((sql: string, params?: Record<string, DuckDBValue>) => void) | undefined;

  static async open(options: { threads?: number; memoryLimit?: string } = {}): Promise<Duck> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    return new Duck(await DuckDBInstance.create(':memory:', config));
  }

  async run(sql: string, params?: Record<string, DuckDBValue>): Promise<void> {
    this.onStatement?.(sql, params);
    await this.withConnection((c) => c.run(sql, params));
  }

  async rows<T>(sql: string, params?: Record<string, DuckDBValue>): Promise<T[]> {
    this.onStatement?.(sql, params);
    return this.withConnection(async (c) => {
      const reader = await c.runAndReadAll(sql, params);
      return reader.getRowObjectsJS().map((r) => plain(r) as T);
    });
  }

  /**
   * Several statements on one connection (its temp tables live as long as it): `rows` and `run` bound
   * to it. The overview scans the lake once into a temp table and asks its eight questions of that.
   */
  async session<R>(
    work: (s: {
      run(sql: string, params?: Record<string, DuckDBValue>): Promise<void>;
      rows<T>(sql: string, params?: Record<string, DuckDBValue>): Promise<T[]>;
    }) => Promise<R>,
  ): Promise<R> {
    return this.withConnection((c) =>
      work({
        run: async (sql, params) => {
          this.onStatement?.(sql, params);
          await c.run(sql, params);
        },
        rows: async <T>(sql: string, params?: Record<string, DuckDBValue>) => {
          this.onStatement?.(sql, params);
          const reader = await c.runAndReadAll(sql, params);
          return reader.getRowObjectsJS().map((r) => plain(r) as T);
        },
      }),
    );
  }

  private async withConnection<R>(work: (c: DuckDBConnection) => Promise<R>): Promise<R> {
    const connection = await this.instance.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  close(): void {
    this.instance.closeSync();
  }
}
