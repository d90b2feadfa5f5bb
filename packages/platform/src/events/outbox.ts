import { PostgresAdapter, type Generated, type Kysely, type Migration, type Transaction } from 'kysely';
import type { Logger } from '@marquee/core';
import type { Database } from '../db/port.js';
import { buildEnvelopes } from './envelope.js';
import type { CloudEvent, EventBus, NewEvent } from './port.js';

/**
 * Transactional outbox: "write to my tables and publish" made atomic. Events are written as rows in
 * the caller's own transaction, and a relay publishes committed rows in order, deleting each batch
 * only after the bus accepted it. A crash between publish and delete republishes the same envelope
 * (same event id) — at least once; consumers dedupe on event.id.
 *
 * @example
 *   await db.transaction(async (trx) => {
 *     await trx.insertInto('assets').values(asset).execute();
 *     await enqueue(trx, { type: 'media.uploaded', source: 'storage', data });
 *   });
 *   void relay.flush();
 */
export interface OutboxTable {
  id: Generated<number>;
  /** The complete CloudEvent, JSON. */
  event: string;
  created_at: string;
}

export interface OutboxTables {
  outbox: OutboxTable;
}

/**
 * Merge into the service's migrations. The `0000_` name sorts before any service's own migrations,
 * so it must be merged from a service's first release (Kysely refuses a new migration that sorts
 * before one already applied).
 */
export const outboxMigrations: Record<string, Migration> = {
  '0000_platform_outbox': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
    async up(db: Kysely<any>) {
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      await db.schema
        .createTable('outbox')
        .addColumn('id', postgres ? 'bigint' : 'integer', (c) =>
          postgres ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

/**
 * Writes events into the outbox inside the caller's transaction. The envelope (id, time, correlation
 * id) is built and validated here, so an invalid event fails the caller's transaction.
 */
export async function enqueue<DB>(
  trx: Transaction<DB>,
  events: NewEvent | readonly NewEvent[],
): Promise<CloudEvent[]> {
  const envelopes = buildEnvelopes(events);
  if (envelopes.length === 0) return envelopes;
  const createdAt = new Date().toISOString();
  await (trx as unknown as Kysely<OutboxTables>)
    .insertInto('outbox')
    .values(envelopes.map((event) => ({ event: JSON.stringify(event), created_at: createdAt })))
    .execute();
  return envelopes;
}

export interface OutboxRelayOptions<DB> {
  db: Database<DB>;
  bus: EventBus;
  logger?: Logger;
  /** How often pending rows are looked for without a flush() (default 250 ms). */
  intervalMs?: number;
  /** Rows published per bus call (default 200). */
  batchSize?: number;
}

export interface OutboxRelay {
  /** Publishes everything committed so far; rejects if the bus refused (rows stay for the next try). */
  flush(): Promise<void>;
  /** Stops polling and waits for a publish in progress. */
  stop(): Promise<void>;
}

export function startOutboxRelay<DB>(options: OutboxRelayOptions<DB>): OutboxRelay {
  const { db, bus, logger } = options;
  const batchSize = options.batchSize ?? 200;
  const write = db.write as unknown as Kysely<OutboxTables>;

  // Publishes one batch; returns how many rows it took. On PostgreSQL the rows are locked (SKIP
  // LOCKED) for the publish, so several replicas relaying the same outbox do not double-publish.
  // SQLite has one writer per file and no row locks: the batch is read, published, then deleted.
  async function relayBatch(): Promise<number> {
    const publishAndDelete = async (trx: Kysely<OutboxTables>, lock: boolean): Promise<number> => {
      let query = trx.selectFrom('outbox').select(['id', 'event']).orderBy('id').limit(batchSize);
      if (lock) query = query.forUpdate().skipLocked();
      const rows = await query.execute();
      if (rows.length === 0) return 0;
      // The stored envelopes are complete: publish keeps their id, time and correlation id.
      await bus.publish(rows.map((row) => JSON.parse(row.event) as CloudEvent));
      await trx
        .deleteFrom('outbox')
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
      return rows.length;
    };
    if (db.dialect === 'postgres') return write.transaction().execute((trx) => publishAndDelete(trx, true));
    return publishAndDelete(write, false);
  }

  async function drain(): Promise<void> {
    while ((await relayBatch()) === batchSize) {
      // a full batch: there may be more
    }
  }

  let tail: Promise<void> = Promise.resolve();
  let queued = 0;
  function flush(): Promise<void> {
    queued += 1;
    const run = tail.then(drain).finally(() => {
      queued -= 1;
    });
    tail = run.catch(() => undefined);
    return run;
  }

  let stopped = false;
  const timer = setInterval(() => {
    if (stopped || queued > 0) return;
    flush().catch((err: unknown) => logger?.warn({ err }, 'outbox relay could not publish; will retry'));
  }, options.intervalMs ?? 250);

  return {
    flush,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await tail;
    },
  };
}
