import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@marquee/core';
import { takeReplicaLease, type Cache, type ReplicaLease } from '@marquee/platform';
import type { StagingGuard } from '../app/finalize-upload.js';
import type { UploadRow, UploadStore } from '../store/uploads.js';

/**
 * Who holds an upload: the request that sent the last byte, the crash-recovery pass (startup, lifecycle),
 * or the lifecycle policy giving up an upload left receiving for too long.
 */
export type Finisher = 'request' | 'recovery' | 'expiry';

/**
 * - `stored`: this finisher stored it; `stored-elsewhere`: another finisher did (now or before).
 * - `busy`: another finisher still held it when the wait ran out (a request only; it goes on storing it).
 * - `skipped`: recovery left it to the finisher holding it.
 * - `gone`: no row, or given up (expired) before it was stored.
 */
export type FinishOutcome = 'stored' | 'stored-elsewhere' | 'busy' | 'skipped' | 'gone';

/**
 * - `abandoned`: this call gave the upload up (`abandon` ran on a row still receiving).
 * - `skipped`: a finisher holds it (or the cache is unreachable); the next lifecycle run decides again.
 * - `settled`: no longer receiving once the lease was held (stored, or given up by another run), or no row.
 */
export type AbandonOutcome = 'abandoned' | 'skipped' | 'settled';

/**
 * Test seam, awaited at two points of every finish: `start` (before the lease is sought) and `leased`
 * (lease held, nothing copied yet). A test holds one replica there to force an interleaving; it is
 * unset in production.
 */
export type FinishPause = (at: { uploadId: string; by: Finisher; step: 'start' | 'leased' }) => Promise<void>;

export interface ExclusiveFinishOptions {
  cache: Cache;
  /** This replica's name (replicaName()); each attempt holds the lease under it plus a random suffix. */
  replica: string;
  leaseTtlMs: number;
  /** How long a request waits for another finisher of its upload before answering `busy`. */
  waitMs: number;
  uploads: UploadStore;
  logger: Logger;
  /** Stores a receiving upload (finalizeUpload); true when this call moved its row to 'stored'. */
  store(row: UploadRow, guard: StagingGuard): Promise<boolean>;
  pause?: FinishPause | undefined;
}

const settled = (row: UploadRow | undefined): FinishOutcome =>
  row && row.state !== 'expired' ? 'stored-elsewhere' : 'gone';

/**
 * Finishes each upload on one finisher at a time, with nothing shared but the cache: the finisher holds
 * the lease `storage:uploads:<id>:finishing` (one holder, renewed every third of its TTL, as the
 * scheduled jobs' leases are) from before it reads the staging until it has removed it. So the
 * recovery pass of one replica can no longer remove staging that the live request on another is still
 * copying. Under the lease the row is re-read from the primary: an upload stored meanwhile is not
 * stored again. A finisher finding the lease held: recovery skips the upload (its holder finishes it,
 * or the next run does); a request waits while the lease is held, then re-reads the row and answers
 * success if it is stored, or takes the lease itself if the holder gave up or died (its lease lapsed).
 */
export class ExclusiveFinish {
  readonly #o: ExclusiveFinishOptions;
  readonly #logger: Logger;

  constructor(options: ExclusiveFinishOptions) {
    this.#o = options;
    this.#logger = options.logger.child({ replica: options.replica });
  }

  /**
   * Gives up an upload left receiving too long, under the same lease as finishing it: its last chunk
   * may arrive just now, and the request storing it must not have its staging removed mid-copy. Held by
   * another finisher, the upload is skipped (decided again next run); once held, the row is re-read from
   * the primary, and `abandon` (expire the row, remove the staging) runs only if it is still receiving;
   * it answers whether it gave the upload up.
   */
  async abandon(uploadId: string, abandon: (row: UploadRow) => Promise<boolean>): Promise<AbandonOutcome> {
    const { cache, leaseTtlMs, uploads, pause } = this.#o;
    const key = `storage:uploads:${uploadId}:finishing`;
    await pause?.({ uploadId, by: 'expiry', step: 'start' });
    const holder = `${this.#o.replica}/${randomBytes(4).toString('hex')}`;
    let lease: ReplicaLease | undefined;
    try {
      lease = await takeReplicaLease(cache.leases, { key, holder, ttlMs: leaseTtlMs, logger: this.#logger });
    } catch (err) {
      this.#logger.warn({ err, uploadId }, 'expiry skips the upload: the cache is unreachable');
      return 'skipped';
    }
    if (!lease) {
      this.#logger.info({ uploadId }, 'expiry skips an upload another finisher holds');
      return 'skipped';
    }
    try {
      await pause?.({ uploadId, by: 'expiry', step: 'leased' });
      // From the primary: the listing the policy decided on may predate a finish that stored it since.
      const row = await uploads.find(uploadId, 'primary');
      if (row?.state !== 'receiving') {
        this.#logger.info({ uploadId, state: row?.state }, 'expiry leaves an upload no longer receiving');
        return 'settled';
      }
      return (await abandon(row)) ? 'abandoned' : 'settled';
    } finally {
      await lease.release();
    }
  }

  async finish(uploadId: string, by: Exclude<Finisher, 'expiry'>): Promise<FinishOutcome> {
    const { cache, leaseTtlMs, waitMs, uploads, pause } = this.#o;
    const key = `storage:uploads:${uploadId}:finishing`;
    await pause?.({ uploadId, by, step: 'start' });
    const waitUntil = Date.now() + (by === 'request' ? waitMs : 0);
    for (;;) {
      // Per attempt, not per replica: a holder acquiring again only renews, and one replica's request and
      // recovery pass must exclude each other too.
      const holder = `${this.#o.replica}/${randomBytes(4).toString('hex')}`;
      let lease: ReplicaLease | undefined;
      try {
        lease = await takeReplicaLease(cache.leases, {
          key,
          holder,
          ttlMs: leaseTtlMs,
          logger: this.#logger,
        });
      } catch (err) {
        if (by === 'recovery') {
          this.#logger.warn({ err, uploadId }, 'recovery skips the upload: the cache is unreachable');
          return 'skipped';
        }
        // The client sent every byte: store it all the same, but keep the staging, which another
        // finisher may be reading; the lifecycle sweep removes it once the upload is stored.
        this.#logger.warn({ err, uploadId }, 'finishing without the upload lease: the cache is unreachable');
        return this.#finishHolding(uploadId, by, { key, holder: undefined });
      }
      if (lease) return this.#finishHolding(uploadId, by, { key, holder, lease });
      if (by === 'recovery') {
        this.#logger.info({ uploadId }, 'recovery skips an upload another finisher holds');
        return 'skipped';
      }
      this.#logger.info({ uploadId }, 'another finisher holds the upload; waiting');
      await this.#waitWhileHeld(key, waitUntil);
      const row = await uploads.find(uploadId, 'primary');
      if (row?.state !== 'receiving') return settled(row);
      if (Date.now() >= waitUntil) return 'busy';
    }
  }

  async #waitWhileHeld(key: string, until: number): Promise<void> {
    const every = Math.max(10, Math.min(500, Math.floor(this.#o.leaseTtlMs / 6)));
    while (Date.now() < until && (await this.#o.cache.leases.holders(key)).length > 0) await sleep(every);
  }

  async #finishHolding(
    uploadId: string,
    by: Exclude<Finisher, 'expiry'>,
    held: { key: string; holder: string | undefined; lease?: ReplicaLease },
  ): Promise<FinishOutcome> {
    const { cache, leaseTtlMs, uploads, pause } = this.#o;
    const { key, holder, lease } = held;
    try {
      await pause?.({ uploadId, by, step: 'leased' });
      // From the primary: a lagging replica would show an upload just stored as still receiving.
      const row = await uploads.find(uploadId, 'primary');
      if (row?.state !== 'receiving') return settled(row);
      if (by === 'recovery')
        this.#logger.warn({ uploadId }, 'finishing an upload interrupted before it was stored');
      const guard: StagingGuard = {
        // Asked right before the staging is removed: only a finisher that still holds the lease may.
        mayRemoveStaging: async () =>
          holder !== undefined &&
          lease !== undefined &&
          !lease.lost.aborted &&
          (await cache.leases.renew(key, holder, leaseTtlMs).catch(() => false)),
      };
      try {
        return (await this.#o.store(row, guard)) ? 'stored' : 'stored-elsewhere';
      } catch (err) {
        // A finisher that lost its lease (or never had one) may have stored it and removed the staging.
        const now = await uploads.find(uploadId, 'primary').catch(() => undefined);
        if (now && now.state !== 'receiving') return settled(now);
        throw err;
      }
    } finally {
      await lease?.release();
    }
  }
}
