import { join } from 'node:path';

export interface AnalyticsConfig {
  /** Where the lake's Parquet files live (plain files, readable by any engine). */
  lakeDir: string;
  /** The lake writer flushes at this many waiting events, or when the oldest waited flushMs. */
  flushEvents: number;
  flushMs: number;
  /** How long an analytics answer is reused (the charts' freshness is flushMs + this). */
  queryCacheMs: number;
  /** A partition is compacted once it has this many parts; compaction looks every compactEveryMs. */
  compactMinFiles: number;
  compactEveryMs: number;
  /** Partitions older than this many days are removed (the lake's retention, LAKE_RETENTION_DAYS; 0 keeps). */
  retentionDays: number;
  /** On S3, how often a replica fetches the parts other replicas wrote into its copy of the lake. */
  mirrorSyncMs: number;
  /** Telemetry batches accepted per session per minute. */
  telemetryPerMinute: number;
  /** DuckDB's threads (default: DuckDB's own choice, the CPUs). */
  duckThreads?: number;
}

export type AnalyticsOverrides = Partial<AnalyticsConfig>;

/**
 * Defaults chosen so a play shows in the charts within a minute (5 s flush + 10 s answer cache) while
 * a busy platform writes parts of hundreds of events, not one per event.
 */
export function analyticsConfig(dataDir: string, overrides: AnalyticsOverrides = {}): AnalyticsConfig {
  return {
    lakeDir: join(dataDir, 'lake'),
    flushEvents: 500,
    flushMs: 5_000,
    queryCacheMs: 10_000,
    compactMinFiles: 12,
    compactEveryMs: 10 * 60_000,
    retentionDays: 400,
    mirrorSyncMs: 30_000,
    telemetryPerMinute: 30,
    ...overrides,
  };
}
