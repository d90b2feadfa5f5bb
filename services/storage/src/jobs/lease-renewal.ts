import type { Logger } from '@marquee/core';
import type { Leases } from '@marquee/platform';

export interface HeldLease {
  key: string;
  holder: string;
  ttlMs: number;
}

/**
 * Renews a held lease every third of its TTL while work runs, and aborts `controller` once the lease
 * may be someone else's: the renewal was refused (the lease lapsed), or the cache has not confirmed it
 * for a whole TTL (counted from when the last successful renewal was SENT, the earliest instant its
 * new expiry can have been computed from). Returns the function that stops renewing.
 */
export function renewWhileRunning(
  leases: Leases,
  lease: HeldLease,
  controller: AbortController,
  logger: Logger,
): () => void {
  let confirmedFrom = Date.now();
  const lose = (why: string) => {
    if (controller.signal.aborted) return;
    logger.warn({ lease: lease.key, why }, 'lost the lease: stopping so another replica can take over');
    controller.abort(new Error(`lease ${lease.key} lost: ${why}`));
  };
  const timer = setInterval(
    () => {
      const sentAt = Date.now();
      leases.renew(lease.key, lease.holder, lease.ttlMs).then(
        (renewed) => {
          if (renewed) confirmedFrom = Math.max(confirmedFrom, sentAt);
          else lose('it lapsed before it was renewed');
        },
        (err: unknown) => {
          if (Date.now() - confirmedFrom >= lease.ttlMs) lose('the cache could not be reached to renew it');
          else logger.warn({ err, lease: lease.key }, 'could not renew the lease; retrying');
        },
      );
    },
    Math.max(1, Math.floor(lease.ttlMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
