import type { Logger } from '@marquee/core';
import type { Leases } from './port.js';

/** A lease this process holds: the key, its holder name and its TTL. */
export interface HeldLease {
  key: string;
  holder: string;
  ttlMs: number;
}

/**
 * Keeps a held lease: renews it every third of its TTL and calls `onLost` once it may be someone
 * else's — the renewal was refused (it lapsed), or the cache has not confirmed it for a whole TTL,
 * counted from when the last confirmed acquire or renewal was SENT (the earliest instant its expiry
 * can have been computed from; `confirmedAt` is that instant for the acquire). Transient renewal
 * failures inside the TTL are logged and retried. Returns the function that stops renewing.
 */
export function renewHeldLease(
  leases: Leases,
  lease: HeldLease,
  onLost: (why: string) => void,
  logger: Logger,
  confirmedAt = Date.now(),
): () => void {
  let confirmedFrom = confirmedAt;
  let lost = false;
  const lose = (why: string) => {
    if (lost) return;
    lost = true;
    clearInterval(timer);
    onLost(why);
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
