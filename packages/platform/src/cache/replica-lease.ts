import type { Logger } from '@marquee/core';
import { renewHeldLease } from './keep-lease.js';
import type { Leases } from './port.js';

/** A lease this replica took with {@link takeReplicaLease}: renewed until it is released or lost. */
export interface ReplicaLease {
  /**
   * Aborted once the lease may be someone else's — a renewal was refused (it lapsed), or the cache
   * has not confirmed it for a whole TTL — with the reason. Work done under the lease stops on it.
   */
  readonly lost: AbortSignal;
  /** Stops renewing and releases the lease, so another replica can take it at once. Never throws. */
  release(): Promise<void>;
}

export interface ReplicaLeaseOptions {
  /** e.g. 'storage:jobs:scrub'. */
  key: string;
  /** This replica's name; must differ between replicas sharing the cache. */
  holder: string;
  /** How long the lease outlives its holder's last renewal (renewed every third of it). */
  ttlMs: number;
  logger: Logger;
}

/**
 * Run on one replica: takes the lease `key` (one holder allowed) and keeps renewing it. Resolves
 * undefined when another replica holds it; rejects when the cache cannot be reached. A replica that
 * dies stops renewing, and another can take the lease within about 4/3 of the TTL.
 *
 * @example
 *   const lease = await takeReplicaLease(cache.leases, { key: 'storage:jobs:scrub', holder, ttlMs, logger });
 *   if (!lease) return 'held';
 *   try { await scrub(lease.lost); } finally { await lease.release(); }
 */
export async function takeReplicaLease(
  leases: Leases,
  { key, holder, ttlMs, logger }: ReplicaLeaseOptions,
): Promise<ReplicaLease | undefined> {
  const sentAt = Date.now();
  if (!(await leases.acquire(key, holder, 1, ttlMs))) return undefined;
  const lost = new AbortController();
  const stopRenewing = renewHeldLease(
    leases,
    { key, holder, ttlMs },
    (why) => lost.abort(new Error(`lease ${key} lost: ${why}`)),
    logger,
    sentAt,
  );
  let released: Promise<void> | undefined;
  const release = async () => {
    stopRenewing();
    await leases
      .release(key, holder)
      .catch((err: unknown) =>
        logger.warn({ err, lease: key }, 'could not release the lease; it lapses by itself'),
      );
  };
  return { lost: lost.signal, release: () => (released ??= release()) };
}
