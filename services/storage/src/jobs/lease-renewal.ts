import type { Logger } from '@marquee/core';
import { keepLease, type HeldLease, type Leases } from '@marquee/platform';

export type { HeldLease };

/**
 * Keeps `lease` while work runs (platform's keepLease) and aborts `controller` once the lease may be
 * someone else's, so the work stops before another replica's copy of it starts. Returns the function
 * that stops renewing.
 */
export function renewWhileRunning(
  leases: Leases,
  lease: HeldLease,
  controller: AbortController,
  logger: Logger,
): () => void {
  return keepLease(
    leases,
    lease,
    (why) => {
      if (controller.signal.aborted) return;
      logger.warn({ lease: lease.key, why }, 'lost the lease: stopping so another replica can take over');
      controller.abort(new Error(`lease ${lease.key} lost: ${why}`));
    },
    logger,
  );
}
