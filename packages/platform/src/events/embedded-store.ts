import BetterSqlite3 from 'better-sqlite3';
import type { CloudEvent } from './port.js';

/**
 * The embedded event log's storage: one SQLite file that several processes may open at once (WAL,
 * busy_timeout). Every state change is one short IMMEDIATE transaction, so claims are atomic across
 * processes: a row of `deliveries` is owned by one member until its lease expires.
 *
 * - `events`: the append-only log; `position` is the rowid (never deleted, so never reused).
 * - `groups`: per consumer group, the position up to which events have been handed out.
 * - `deliveries`: events handed out and not yet acknowledged: the owning member, the lease expiry (or,
 *   after a failure, the time it may be retried; a handler's extendLease pushes it forward), and how
 *   many times it was delivered.
 * - `dead_letters`: events a group gave up on, with the reason.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS groups (name TEXT PRIMARY KEY, types TEXT NOT NULL, cursor INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS deliveries (
    grp TEXT NOT NULL, position INTEGER NOT NULL, member TEXT, lease_until INTEGER NOT NULL,
    deliveries INTEGER NOT NULL, last_error TEXT, PRIMARY KEY (grp, position)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (grp, lease_until);
  CREATE TABLE IF NOT EXISTS dead_letters (
    grp TEXT NOT NULL, position INTEGER NOT NULL, deliveries INTEGER NOT NULL, reason TEXT NOT NULL,
    at INTEGER NOT NULL, PRIMARY KEY (grp, position)) WITHOUT ROWID;
`;

export interface ClaimedRow {
  position: number;
  body: string;
  deliveries: number;
}

export interface ClaimRequest {
  group: string;
  member: string;
  /** JSON array of the types this member takes. */
  typesJson: string;
  limit: number;
  now: number;
  ackTimeoutMs: number;
  maxDeliveries: number;
  /** Why an event whose last allowed delivery expired is dead-lettered. */
  expiredReason: (deliveries: number, lastError: string | null) => string;
}

export interface DeliveryRef {
  group: string;
  position: number;
  member: string;
  deliveries: number;
}

export interface StoredDeadLetter {
  position: number;
  deliveries: number;
  reason: string;
  body: string;
}

export class EmbeddedLogStore {
  private readonly db: BetterSqlite3.Database;
  private readonly stmt;
  private readonly appendBatch: BetterSqlite3.Transaction<(events: readonly CloudEvent[]) => void>;
  /** Atomically takes up to `limit` events for a member; also dead-letters expired exhausted ones. */
  readonly claim: (request: ClaimRequest) => { claimed: ClaimedRow[]; deadLettered: number[] };
  readonly ack: (refs: readonly DeliveryRef[]) => void;

  constructor(path: string) {
    this.db = new BetterSqlite3(path, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
    const db = this.db;
    this.stmt = {
      insertEvent: db.prepare('INSERT INTO events (id, type, body) VALUES (?, ?, ?)'),
      registerGroup: db.prepare(
        'INSERT INTO groups (name, types) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET types = excluded.types',
      ),
      cursor: db.prepare('SELECT cursor FROM groups WHERE name = ?').pluck(),
      lastPosition: db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck(),
      due: db.prepare(
        `SELECT d.position, d.deliveries, d.last_error AS lastError, e.body FROM deliveries d
         JOIN events e ON e.position = d.position
         WHERE d.grp = ? AND d.lease_until <= ? ORDER BY d.lease_until, d.position LIMIT ?`,
      ),
      fresh: db.prepare(
        `SELECT position, body FROM events WHERE position > ? AND type IN (SELECT value FROM json_each(?))
         ORDER BY position LIMIT ?`,
      ),
      lease: db.prepare(
        'UPDATE deliveries SET member = ?, lease_until = ?, deliveries = deliveries + 1 WHERE grp = ? AND position = ?',
      ),
      insertDelivery: db.prepare(
        'INSERT INTO deliveries (grp, position, member, lease_until, deliveries) VALUES (?, ?, ?, ?, 1)',
      ),
      moveCursor: db.prepare('UPDATE groups SET cursor = ? WHERE name = ?'),
      ack: db.prepare(
        'DELETE FROM deliveries WHERE grp = ? AND position = ? AND member = ? AND deliveries = ?',
      ),
      extendLease: db.prepare(
        'UPDATE deliveries SET lease_until = ? WHERE grp = ? AND position = ? AND member = ? AND deliveries = ?',
      ),
      retry: db.prepare(
        `UPDATE deliveries SET member = NULL, lease_until = ?, last_error = ?
         WHERE grp = ? AND position = ? AND member = ? AND deliveries = ?`,
      ),
      giveBack: db.prepare(
        `UPDATE deliveries SET member = NULL, lease_until = ?, last_error = ?, deliveries = deliveries - 1
         WHERE grp = ? AND position = ? AND member = ? AND deliveries = ?`,
      ),
      deleteDelivery: db.prepare('DELETE FROM deliveries WHERE grp = ? AND position = ?'),
      insertDeadLetter: db.prepare(
        'INSERT OR REPLACE INTO dead_letters (grp, position, deliveries, reason, at) VALUES (?, ?, ?, ?, ?)',
      ),
      hasWork: db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM deliveries WHERE grp = @group AND lease_until <= @now)
               OR (SELECT coalesce(max(position), 0) FROM events) > coalesce((SELECT cursor FROM groups WHERE name = @group), 0)`,
        )
        .pluck(),
      lag: db
        .prepare(
          `SELECT (SELECT count(*) FROM events WHERE position > g.cursor AND type IN (SELECT value FROM json_each(g.types)))
                + (SELECT count(*) FROM deliveries WHERE grp = g.name) FROM groups g WHERE g.name = ?`,
        )
        .pluck(),
      deadLetters: db.prepare(
        `SELECT l.position, l.deliveries, l.reason, e.body FROM dead_letters l
         JOIN events e ON e.position = l.position WHERE l.grp = ? ORDER BY l.position`,
      ),
      read: db.prepare(
        `SELECT position, body FROM events WHERE position >= @from
         AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types))) ORDER BY position LIMIT @limit`,
      ),
    };
    const s = this.stmt;

    this.appendBatch = db.transaction((events: readonly CloudEvent[]) => {
      for (const event of events) s.insertEvent.run(event.id, event.type, JSON.stringify(event));
    });

    // Redeliveries first (they are older), then fresh events past the group's cursor. Expired rows that
    // have used up their deliveries are returned apart, to be dead-lettered by the caller.
    const claim = db.transaction((r: ClaimRequest) => {
      const claimed: ClaimedRow[] = [];
      const deadLettered: number[] = [];
      const leaseUntil = r.now + r.ackTimeoutMs;
      for (const row of s.due.all(r.group, r.now, r.limit) as (ClaimedRow & { lastError: string | null })[]) {
        if (row.deliveries >= r.maxDeliveries) {
          s.insertDeadLetter.run(
            r.group,
            row.position,
            row.deliveries,
            r.expiredReason(row.deliveries, row.lastError),
            r.now,
          );
          s.deleteDelivery.run(r.group, row.position);
          deadLettered.push(row.position);
          continue;
        }
        s.lease.run(r.member, leaseUntil, r.group, row.position);
        claimed.push({ position: row.position, body: row.body, deliveries: row.deliveries + 1 });
      }
      const room = r.limit - claimed.length;
      if (room > 0) {
        const cursor = (s.cursor.get(r.group) as number | undefined) ?? 0;
        const fresh = s.fresh.all(cursor, r.typesJson, room) as { position: number; body: string }[];
        for (const row of fresh) {
          s.insertDelivery.run(r.group, row.position, r.member, leaseUntil);
          claimed.push({ position: row.position, body: row.body, deliveries: 1 });
        }
        // Fewer rows than asked for means nothing of our types lies beyond: skip to the end of the log.
        const next =
          fresh.length === room ? fresh[fresh.length - 1]!.position : (s.lastPosition.get() as number);
        if (next > cursor) s.moveCursor.run(next, r.group);
      }
      return { claimed, deadLettered };
    });
    this.claim = (request) => claim.immediate(request);

    const ack = db.transaction((refs: readonly DeliveryRef[]) => {
      for (const ref of refs) s.ack.run(ref.group, ref.position, ref.member, ref.deliveries);
    });
    this.ack = (refs) => ack.immediate(refs);
  }

  append(events: readonly CloudEvent[]): void {
    this.appendBatch.immediate(events);
  }

  registerGroup(group: string, typesJson: string): void {
    this.stmt.registerGroup.run(group, typesJson);
  }

  /** A cheap read that tells whether a claim could return anything; avoids taking the write lock when idle. */
  hasWork(group: string, now: number): boolean {
    return this.stmt.hasWork.get({ group, now }) === 1;
  }

  /**
   * Moves the lease to `leaseUntil` if this member's claim still stands (same member, same delivery);
   * false when the event was claimed again or dead-lettered after the lease expired. An expired lease
   * nobody took yet is still the member's: extending it is as safe as acknowledging it.
   */
  extendLease(ref: DeliveryRef, leaseUntil: number): boolean {
    const { changes } = this.stmt.extendLease.run(
      leaseUntil,
      ref.group,
      ref.position,
      ref.member,
      ref.deliveries,
    );
    return changes === 1;
  }

  /** Offers the event again at `availableAt`, unless the member lost its lease meanwhile. */
  retry(ref: DeliveryRef, availableAt: number, error: string): void {
    this.stmt.retry.run(availableAt, error, ref.group, ref.position, ref.member, ref.deliveries);
  }

  /**
   * Offers the event again at `availableAt` with this delivery not counted (its handler only met a
   * dependency's outage), unless the member lost its lease meanwhile.
   */
  giveBack(ref: DeliveryRef, availableAt: number, error: string): void {
    this.stmt.giveBack.run(availableAt, error, ref.group, ref.position, ref.member, ref.deliveries);
  }

  deadLetter(group: string, position: number, deliveries: number, reason: string, now: number): void {
    this.db
      .transaction(() => {
        this.stmt.insertDeadLetter.run(group, position, deliveries, reason, now);
        this.stmt.deleteDelivery.run(group, position);
      })
      .immediate();
  }

  lag(group: string): number {
    return (this.stmt.lag.get(group) as number | undefined) ?? 0;
  }

  deadLetters(group: string): StoredDeadLetter[] {
    return this.stmt.deadLetters.all(group) as StoredDeadLetter[];
  }

  read(from: number, typesJson: string | null, limit: number): { position: number; body: string }[] {
    return this.stmt.read.all({ from, types: typesJson, limit }) as { position: number; body: string }[];
  }

  lastPosition(): number {
    return this.stmt.lastPosition.get() as number;
  }

  ping(): boolean {
    return this.stmt.lastPosition.get() !== undefined;
  }

  close(): void {
    this.db.close();
  }
}
