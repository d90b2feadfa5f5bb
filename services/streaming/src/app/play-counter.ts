import type { Logger } from '@marquee/core';
import type { Database } from '@marquee/platform';
import type { StreamingTables } from '../store/tables.js';
import { countPlays } from '../store/titles-store.js';

/**
 * Counts playback starts per title for popularity, off the start's own transaction: every start of
 * a hit title would otherwise update the same row (a lock every start must queue for on PostgreSQL).
 * Counts gather in memory and are added in one statement per title every few seconds; a crash loses
 * at most that window's counts, which only nudges a ranking.
 */
export class PlayCounter {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database<StreamingTables>,
    private readonly logger: Logger,
    private readonly intervalMs = 5_000,
  ) {}

  add(titleIds: readonly string[]): void {
    for (const id of titleIds) this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes what has gathered; a failed write puts the counts back for the next round. */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.db.transaction(async (trx) => {
          for (const [titleId, n] of batch) await countPlays(trx, titleId, n);
        });
      } catch (err) {
        for (const [id, n] of batch) this.pending.set(id, (this.pending.get(id) ?? 0) + n);
        this.logger.warn({ err }, 'could not record play counts; retrying');
      }
    });
    this.flushing = run;
    return run;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
