const DAY_MS = 86_400_000;

/**
 * The lake's retention, decided purely: which date partitions (`YYYY-MM-DD`, UTC days) are past
 * `retentionDays` at `now`. A partition goes once its whole day is older than the retention, so a
 * day is never cut in half and every partition is kept at least `retentionDays` full days. 0 keeps
 * everything (LAKE_RETENTION_DAYS=0), like the storage lifecycle's other retention settings.
 *
 * @example expiredPartitions(['2025-01-01', '2026-12-01'], new Date('2026-12-06T12:00Z'), 30)
 *   // → ['2025-01-01']
 */
export function expiredPartitions(dates: readonly string[], now: Date, retentionDays: number): string[] {
  if (retentionDays <= 0) return [];
  // The first day still kept: the day of (now − retention). Dates compare as strings in this format.
  const firstKept = new Date(now.getTime() - retentionDays * DAY_MS).toISOString().slice(0, 10);
  return dates.filter((d) => d < firstKept);
}
