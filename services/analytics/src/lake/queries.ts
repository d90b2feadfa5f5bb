import type { AnalyticsOverview, AnalyticsSession, QoeMeasures, TitleAnalytics } from '@marquee/contracts';
import { FINISHED_TAIL_MAX_SECONDS, FINISHED_TAIL_SHARE } from '@marquee/contracts';
import { sqlPaths, type Duck } from './duck.js';
import { isMissingFile, type LakeStore } from './lake-store.js';

export interface QoeFilter {
  from: Date;
  to: Date;
  titleId?: string | undefined;
  edge?: string | undefined;
  plan?: string | undefined;
}

export type Bucket = AnalyticsOverview['bucket'];

/** Minutes for a range up to 6 h, hours up to 14 days, days beyond. */
export function bucketFor(from: Date, to: Date): Bucket {
  const hours = (to.getTime() - from.getTime()) / 3_600_000;
  return hours <= 6 ? 'minute' : hours <= 24 * 14 ? 'hour' : 'day';
}

const day = (d: Date) => d.toISOString().slice(0, 10);

type Results<T extends readonly (() => Promise<unknown>)[]> = { [K in keyof T]: Awaited<ReturnType<T[K]>> };

/** Runs the questions one after another: a DuckDB connection answers one statement at a time. */
async function sequence<const T extends readonly (() => Promise<unknown>)[]>(
  questions: T,
): Promise<Results<T>> {
  const out: unknown[] = [];
  for (const ask of questions) out.push(await ask());
  return out as Results<T>;
}

/**
 * Asks again when a part vanished between the listing and DuckDB opening it (compaction deleted the
 * parts it merged): the new listing has the merged part instead.
 */
async function retried<T>(ask: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (err) {
      if (attempt >= 3 || !isMissingFile(err)) throw err;
    }
  }
}

/**
 * The measures of QoeMeasures over the rows in scope (the overview's temp table), as SQL select items.
 * `fatal`: the row reported a fatal error, worked out once per row when the table is made rather than
 * in each of the eight questions.
 */
const MEASURES = `
  count(DISTINCT session_id)::BIGINT AS sessions,
  count(startup_ms)::BIGINT AS starts,
  quantile_cont(startup_ms, 0.5) AS "startupP50Ms",
  quantile_cont(startup_ms, 0.95) AS "startupP95Ms",
  sum(stall_ms) / nullif(sum(watch_ms) + sum(stall_ms), 0) AS "rebufferRatio",
  sum(bitrate * watch_ms) / nullif(sum(watch_ms) FILTER (WHERE bitrate IS NOT NULL), 0) AS "avgBitrate",
  count(DISTINCT session_id) FILTER (WHERE fatal)
    / nullif(count(DISTINCT session_id), 0) AS "errorRate",
  coalesce(sum(watch_ms), 0) / 1000 AS "watchSeconds",
  coalesce(sum(stall_count), 0)::BIGINT AS stalls`;

const EMPTY: QoeMeasures = {
  sessions: 0,
  starts: 0,
  startupP50Ms: null,
  startupP95Ms: null,
  rebufferRatio: null,
  avgBitrate: null,
  errorRate: null,
  watchSeconds: 0,
  stalls: 0,
};

/** The telemetry columns the overview's questions read: flat ones, and `errors` (mostly empty lists). */
const OVERVIEW_COLUMNS = [
  'time',
  'session_id',
  'title_id',
  'plan',
  'edge',
  'startup_ms',
  'watch_ms',
  'bitrate',
  'stall_ms',
  'stall_count',
  'errors',
].join(', ');

export interface LakeQueriesOptions {
  /**
   * Keep one row per event id at query time, reading every column (the guard before the lake's layout
   * rule, lake-store.ts). Off by default: the files `LakeStore.files()` returns hold each id once. On
   * for tests and bench/analytics that compare answers and times against the rule.
   */
  dedupById?: boolean;
}

/**
 * Answers the admin analytics from the lake with DuckDB. Every query reads only the partitions of the
 * asked days (the file list is built from the folder names) and only the columns it needs. It does not
 * de-duplicate: the lake's layout rule (lake-store.ts) guarantees the listed files hold each id once.
 */
export class LakeQueries {
  constructor(
    private readonly lake: LakeStore,
    private readonly duck: Duck,
    private readonly options: LakeQueriesOptions = {},
  ) {}

  /**
   * `t`: the telemetry batches in scope, `columns` of them. Undefined when no file covers the range.
   */
  private async telemetryScope(filter: QoeFilter, columns: string) {
    const files = await this.lake.allFiles('telemetry', { from: day(filter.from), to: day(filter.to) });
    if (files.length === 0) return undefined;
    const where = ['time >= CAST($from AS TIMESTAMP)', 'time < CAST($to AS TIMESTAMP)'];
    const params: Record<string, string> = {
      from: filter.from.toISOString(),
      to: filter.to.toISOString(),
    };
    for (const [key, column] of [
      ['titleId', 'title_id'],
      ['edge', 'edge'],
      ['plan', 'plan'],
    ] as const) {
      const value = filter[key];
      if (value !== undefined) {
        where.push(`${column} = $${key}`);
        params[key] = value;
      }
    }
    const select = this.options.dedupById
      ? `SELECT * FROM read_parquet(${sqlPaths(files)}, hive_partitioning = true, union_by_name = true)
      WHERE ${where.join(' AND ')} QUALIFY row_number() OVER (PARTITION BY id) = 1`
      : `SELECT ${columns} FROM read_parquet(${sqlPaths(files)}, union_by_name = true)
      WHERE ${where.join(' AND ')}`;
    return { select, cte: `t AS (${select})`, params };
  }

  overview(
    filter: QoeFilter,
    bucket: Bucket = bucketFor(filter.from, filter.to),
  ): Promise<AnalyticsOverview> {
    return retried(() => this.overviewOnce(filter, bucket));
  }

  private async overviewOnce(filter: QoeFilter, bucket: Bucket): Promise<AnalyticsOverview> {
    const answer: AnalyticsOverview = {
      from: filter.from.toISOString(),
      to: filter.to.toISOString(),
      bucket,
      totals: EMPTY,
      series: [],
      startupHistogram: [],
      errors: [],
      byEdge: [],
      byPlan: [],
      byTitle: [],
      byDay: [],
    };
    const scope = await this.telemetryScope(filter, OVERVIEW_COLUMNS);
    if (!scope) return answer;
    // One scan of the lake's needed columns into a temp table, then every question of it (one
    // connection, in turn): eight scans of the files would each decode them again.
    return this.duck.session(async (db) => {
      await db.run(
        `CREATE TEMP TABLE t AS SELECT *, list_bool_or(list_transform(errors, e -> e.fatal)) AS fatal
         FROM (${scope.select})`,
        scope.params,
      );
      const q = <T>(select: string) => db.rows<T>(select);
      const grouped = (column: string) =>
        q<QoeMeasures & { key: string }>(
          `SELECT coalesce(${column}::VARCHAR, '(none)') AS key, ${MEASURES} FROM t GROUP BY 1 ORDER BY sessions DESC, key LIMIT 50`,
        );
      const [totals, series, histogram, errors, byEdge, byPlan, byTitle, byDay] = await sequence([
        () => q<QoeMeasures>(`SELECT ${MEASURES} FROM t`),
        () =>
          q<QoeMeasures & { t: string }>(
            `SELECT date_trunc('${bucket}', time) AS t, ${MEASURES} FROM t GROUP BY 1 ORDER BY 1`,
          ),
        () =>
          q<{ fromMs: number; count: number }>(
            `SELECT least(floor(startup_ms / 250) * 250, 10000) AS "fromMs", count(*)::BIGINT AS count
         FROM t WHERE startup_ms IS NOT NULL GROUP BY 1 ORDER BY 1`,
          ),
        () =>
          q<{ kind: string; fatal: boolean; count: number; sessions: number }>(
            `SELECT e.kind AS kind, e.fatal AS fatal, count(*)::BIGINT AS count, count(DISTINCT session_id)::BIGINT AS sessions
         FROM (SELECT session_id, unnest(errors) AS e FROM t) GROUP BY 1, 2 ORDER BY count DESC, kind, fatal LIMIT 50`,
          ),
        () => grouped('edge'),
        () => grouped('plan'),
        () => grouped('title_id'),
        () => grouped('CAST(time AS DATE)'),
      ] as const);
      return {
        ...answer,
        totals: totals[0] ?? EMPTY,
        series,
        startupHistogram: histogram,
        errors,
        byEdge,
        byPlan,
        byTitle,
        byDay,
      };
    });
  }

  sessions(filter: QoeFilter, limit: number): Promise<AnalyticsSession[]> {
    return retried(() => this.sessionsOnce(filter, limit));
  }

  private async sessionsOnce(filter: QoeFilter, limit: number): Promise<AnalyticsSession[]> {
    const scope = await this.telemetryScope(
      filter,
      'time, session_id, title_id, plan, edge, startup_ms, stall_count, stall_ms, watch_ms, bitrate, errors',
    );
    if (!scope) return [];
    return this.duck.rows<AnalyticsSession>(
      `WITH ${scope.cte}
       SELECT session_id AS "sessionId", any_value(title_id) AS "titleId", any_value(plan) AS plan,
         arg_max(edge, time) AS edge, min(time) AS "firstSeen", max(time) AS "lastSeen",
         max(startup_ms) AS "startupMs", coalesce(sum(stall_count), 0)::BIGINT AS stalls,
         coalesce(sum(stall_ms), 0) AS "stallMs", coalesce(sum(watch_ms), 0) / 1000 AS "watchSeconds",
         sum(bitrate * watch_ms) / nullif(sum(watch_ms) FILTER (WHERE bitrate IS NOT NULL), 0) AS "avgBitrate",
         coalesce(sum(len(errors)), 0)::BIGINT AS errors
       FROM t GROUP BY session_id ORDER BY "firstSeen" DESC LIMIT ${Math.trunc(limit)}`,
      scope.params,
    );
  }

  title(titleId: string, from: Date, to: Date): Promise<TitleAnalytics> {
    return retried(() => this.titleOnce(titleId, from, to));
  }

  private async titleOnce(titleId: string, from: Date, to: Date): Promise<TitleAnalytics> {
    const [overview, files] = await Promise.all([
      this.overviewOnce({ from, to, titleId }, 'day'),
      this.lake.allFiles('playback', { from: day(from), to: day(to) }),
    ]);
    const answer: TitleAnalytics = {
      titleId,
      from: from.toISOString(),
      to: to.toISOString(),
      views: 0,
      viewers: 0,
      watchSeconds: overview.totals.watchSeconds,
      completionRate: null,
      retention: [],
      qoe: overview.totals,
    };
    if (files.length === 0) return answer;
    // A session's reach is the furthest position it reported; it finished when the rest is within the
    // tail contracts/viewing.ts calls finished (the last 5 %, at most 30 s).
    const rows = await this.duck.rows<{
      views: number;
      viewers: number;
      completed: number | null;
      retention: { at: number; share: number }[] | null;
    }>(
      `WITH p AS (${
        this.options.dedupById
          ? `SELECT * FROM read_parquet(${sqlPaths(files)}, hive_partitioning = true, union_by_name = true)
          WHERE title_id = $titleId AND time >= CAST($from AS TIMESTAMP) AND time < CAST($to AS TIMESTAMP)
          QUALIFY row_number() OVER (PARTITION BY id) = 1`
          : `SELECT session_id, profile_id, position, duration FROM read_parquet(${sqlPaths(files)}, union_by_name = true)
          WHERE title_id = $titleId AND time >= CAST($from AS TIMESTAMP) AND time < CAST($to AS TIMESTAMP)`
      }),
        s AS (SELECT session_id, any_value(profile_id) AS profile_id, max(position) AS reach, max(duration) AS dur
          FROM p GROUP BY session_id),
        whole AS (SELECT max(dur) AS dur FROM s),
        points AS (SELECT range / 20.0 AS point FROM range(0, 21)),
        curve AS (SELECT point, count(*) FILTER (WHERE s.reach >= point * whole.dur - 1e-9) / count(*) AS share
          FROM points, s, whole WHERE whole.dur > 0 GROUP BY point)
       SELECT count(*)::BIGINT AS views, count(DISTINCT profile_id)::BIGINT AS viewers,
         avg(CASE WHEN dur > 0 AND dur - reach <= least(${FINISHED_TAIL_MAX_SECONDS}, dur * ${FINISHED_TAIL_SHARE})
           THEN 1 ELSE 0 END) FILTER (WHERE dur > 0) AS completed,
         (SELECT list({'at': point, 'share': share} ORDER BY point) FROM curve) AS retention
       FROM s`,
      { titleId, from: from.toISOString(), to: to.toISOString() },
    );
    const row = rows[0];
    return {
      ...answer,
      views: row?.views ?? 0,
      viewers: row?.viewers ?? 0,
      completionRate: row?.completed ?? null,
      retention: row?.retention ?? [],
    };
  }
}
