import type { Cache } from '@marquee/platform';
import type { Logger } from '@marquee/core';
import { expiredPartitions } from '../app/lake-retention.js';
import type { LakeStore } from '../lake/lake-store.js';
import { LAKE_TABLES, type LakeTable } from '../lake/tables.js';

const LEASE = 'analytics:lake-maintenance';

/**
 * Compaction and retention (app/lake-retention.ts), now and then, by one replica at a time (a cache lease): two compactions
 * of one partition would each delete the other's inputs.
 */
export function startLakeMaintenance(options: {
  lake: LakeStore;
  cache: Cache;
  logger: Logger;
  replica: string;
  everyMs: number;
  minFiles: number;
  /** Partitions past this many days are removed (LAKE_RETENTION_DAYS; 0 keeps them). */
  retentionDays: number;
  now?: () => Date;
}): { stop(): void; runOnce(): Promise<void> } {
  const { lake, cache, logger, replica } = options;
  const now = options.now ?? (() => new Date());
  let running: Promise<void> | undefined;
  const runOnce = async () => {
    if (!(await cache.leases.acquire(LEASE, replica, 1, options.everyMs))) return;
    try {
      // Compaction must see every replica's parts (with a mirror; a no-op without).
      await lake.sync();
      for (const table of Object.keys(LAKE_TABLES) as LakeTable[]) {
        const expired = expiredPartitions(await lake.dates(table), now(), options.retentionDays);
        await lake.expire(table, expired);
        if (expired.length > 0)
          logger.info({ table, partitions: expired }, 'lake partitions past retention removed');
        for (const date of await lake.dates(table)) {
          const merged = await lake.compact(table, date, options.minFiles);
          if (merged > 0) logger.info({ table, date, parts: merged }, 'lake partition compacted');
        }
      }
    } finally {
      await cache.leases.release(LEASE, replica).catch(() => undefined);
    }
  };
  const tick = () => {
    running ??= runOnce()
      .catch((err: unknown) => logger.warn({ err }, 'lake maintenance failed; next round retries'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, options.everyMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    runOnce: () => runOnce(),
  };
}
