import type { Logger } from '@marquee/core';
import { takeReplicaLease, type Leases, type ReplicaLease } from '@marquee/platform';

/**
 * Which replica trains: the holder of one cache lease (one holder allowed). Every replica that does
 * not hold it tries to take it every third of its TTL; the holder keeps it (platform's
 * takeReplicaLease renews it at the same pace) and stops considering itself the trainer once the lease
 * may be someone else's. A replica that dies stops renewing, and another takes over within about 4/3 of the TTL.
 */
export class TrainerLease {
  private held = false;
  private lease: ReplicaLease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;

  constructor(
    private readonly options: {
      leases: Leases;
      key: string;
      replica: string;
      ttlMs: number;
      logger: Logger;
      onChange(held: boolean): void;
    },
  ) {}

  isHeld(): boolean {
    return this.held;
  }

  /** Makes a first attempt (awaited: a lone replica is the trainer once start() resolves), then keeps at it. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(1, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /** Stops, releasing the lease so that another replica takes over at its next attempt. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.attempt;
    if (!this.held) return;
    const lease = this.lease;
    this.lease = undefined;
    this.set(false);
    await lease?.release();
  }

  tick(): Promise<void> {
    this.attempt ??= this.once().finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  private async once(): Promise<void> {
    if (this.held) return; // the lease renews itself
    const { leases, key, replica, ttlMs, logger } = this.options;
    let lease: ReplicaLease | undefined;
    try {
      lease = await takeReplicaLease(leases, { key, holder: replica, ttlMs, logger });
    } catch (err) {
      logger.warn({ err, lease: key }, 'could not reach the cache for the trainer lease; retrying');
      return;
    }
    if (!lease) return;
    const held = lease;
    held.lost.addEventListener(
      'abort',
      () => {
        if (this.lease !== held) return;
        logger.warn(
          { lease: key, why: String(held.lost.reason) },
          'lost the trainer lease: no longer the trainer',
        );
        this.lease = undefined;
        this.set(false);
      },
      { once: true },
    );
    this.lease = held;
    this.set(true);
  }

  private set(held: boolean): void {
    this.held = held;
    this.options.onChange(held);
  }
}
