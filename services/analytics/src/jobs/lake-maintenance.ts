import type { Cache } from '@marquee/platform';
import type { Logger } from '@marquee/core';
import type { LakeStore } from '../lake/lake-store.js';
import { LAKE_TABLES, type LakeTable } from '../lake/tables.js';

const LEASE = 'analytics:lake-maintenance';

/**
 * Compaction and retention, now and then, by one replica at a time (a cache lease): two compactions
 * of one partition would each delete the other's inputs.
 */
export function startLakeMaintenance(options: {
  lake: LakeStore;
  cache: Cache;
  logger: Logger;
  replica: string;
  everyMs: number;
  minFiles: number;
  retentionDays: number;
}): { stop(): void; runOnce(): Promise<void> } {
  const { lake, cache, logger, replica } = options;
  let running: Promise<void> | undefined;
  const runOnce = async () => {
    if (!(await cache.leases.acquire(LEASE, replica, 1, options.everyMs))) return;
    try {
      const before = new Date(Date.now() - options.retentionDays * 86_400_000).toISOString().slice(0, 10);
      for (const table of Object.keys(LAKE_TABLES) as LakeTable[]) {
        const expired = await lake.expire(table, before);
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
