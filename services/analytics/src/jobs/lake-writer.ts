import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from '@marquee/core';
import type { DeliveryOf, EventBus, Subscription } from '@marquee/platform';
import type { LakeStore } from '../lake/lake-store.js';
import {
  LAKE_EVENT_TYPES,
  lakeRow,
  partitionDate,
  type LakeEventType,
  type LakeRow,
  type LakeTable,
} from '../lake/tables.js';

export const LAKE_GROUP = 'analytics-lake';

interface Pending {
  table: LakeTable;
  row: LakeRow;
  position: number;
  redelivered: boolean;
  settle: (err?: unknown) => void;
}

export interface LakeWriterOptions {
  lake: LakeStore;
  logger: Logger;
  /** Flush when this many events wait (also the group's concurrency: every waiting event is in flight). */
  flushEvents: number;
  /** …or when the oldest has waited this long. */
  flushMs: number;
}

/** `<first>-<last>-<digest>`: sorts by stream position; the digest keeps two writers' parts apart. */
export function partName(positions: readonly number[], ids: readonly string[]): string {
  const pad = (n: number) => String(n).padStart(16, '0');
  const digest = createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 10);
  return `${pad(Math.min(...positions))}-${pad(Math.max(...positions))}-${digest}`;
}

/**
 * Writes lake events to Parquet in batches, exactly once. Each handler call waits until its event's
 * part is durable (renamed in and fsynced), and only then resolves, which acks the event: a crash
 * before that redelivers it, a crash after cannot lose it. What a redelivery could duplicate (the part
 * was written, the ack was lost) is checked against the partition before writing: events delivered
 * more than once are dropped when their id is already there. Ids written lately are remembered too,
 * so a batch a player sent twice (same session and seq, same event id) is one row.
 */
export class LakeWriter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly recent = new LRUCache<string, true>({ max: 200_000 });
  written = 0;
  dropped = 0;

  constructor(private readonly options: LakeWriterOptions) {}

  /** The consumer group's handler. */
  readonly handle = (delivery: DeliveryOf<LakeEventType>): Promise<void> => {
    const mapped = lakeRow(delivery.event);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({
        table: mapped.table,
        row: mapped.row,
        position: delivery.position,
        redelivered: delivery.deliveryCount > 1,
        settle: (err) => (err ? reject(err as Error) : resolve()),
      });
      if (this.pending.length >= this.options.flushEvents) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs);
    });
  };

  /** Writes everything waiting now; calls are serialised. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: Pending[]): Promise<void> {
    if (batch.length === 0) return;
    const groups = new Map<string, Pending[]>();
    for (const p of batch) {
      const key = `${p.table}|${partitionDate(p.row.time)}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    for (const [key, items] of groups) {
      const [table, date] = key.split('|') as [LakeTable, string];
      try {
        const rows = await this.fresh(table, date, items);
        if (rows.length > 0) {
          const name = partName(
            items.map((i) => i.position),
            rows.map((r) => r.id),
          );
          await this.options.lake.write(table, date, rows, name);
          for (const r of rows) this.recent.set(r.id, true);
          this.written += rows.length;
        }
        this.dropped += items.length - rows.length;
        for (const i of items) i.settle();
      } catch (err) {
        this.options.logger.warn({ err, table, date, events: items.length }, 'lake write failed; redelivery');
        for (const i of items) i.settle(err);
      }
    }
  }

  /** The rows of `items` not yet in the lake, one per id. */
  private async fresh(table: LakeTable, date: string, items: Pending[]): Promise<LakeRow[]> {
    const byId = new Map<string, LakeRow>();
    for (const { row } of items) {
      if (!byId.has(row.id) && !this.recent.has(row.id)) byId.set(row.id, row);
    }
    const suspects = items.filter((i) => i.redelivered && byId.has(i.row.id)).map((i) => i.row.id);
    if (suspects.length > 0) {
      for (const id of await this.options.lake.present(table, date, suspects)) byId.delete(id);
    }
    return [...byId.values()];
  }
}

/** Subscribes the lake writer's group; stopping flushes what waits so nothing waits for a timeout. */
export async function startLakeWriter(
  bus: EventBus,
  writer: LakeWriter,
  options: { flushEvents: number; flushMs: number },
): Promise<Subscription> {
  const subscription = await bus.subscribe({
    group: LAKE_GROUP,
    types: LAKE_EVENT_TYPES,
    concurrency: options.flushEvents,
    ackTimeoutMs: Math.max(30_000, options.flushMs * 4),
    handler: writer.handle,
  });
  return {
    async stop() {
      const stopping = subscription.stop();
      await writer.flush();
      await stopping;
    },
  };
}
