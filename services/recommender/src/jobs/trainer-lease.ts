import type { Logger } from '@marquee/core';
import type { Leases } from '@marquee/platform';

/**
 * Which replica trains: the holder of one cache lease (one holder allowed). Every replica tries to take
 * it every third of its TTL; the holder renews it at the same pace. A holder whose renewal is refused,
 * or that has not reached the cache for a whole TTL (counted from when its last confirmed renewal was
 * sent), stops considering itself the trainer: by then another replica may hold the lease. A replica
 * that dies stops renewing, and another takes over within about 4/3 of the TTL.
 */
export class TrainerLease {
  private held = false;
  private confirmedFrom = 0;
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
    this.set(false);
    await this.options.leases
      .release(this.options.key, this.options.replica)
      .catch((err: unknown) =>
        this.options.logger.warn({ err }, 'could not release the trainer lease; it lapses'),
      );
  }

  tick(): Promise<void> {
    this.attempt ??= this.once().finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  private async once(): Promise<void> {
    const { leases, key, replica, ttlMs, logger } = this.options;
    const sentAt = Date.now();
    try {
      const ok = this.held
        ? await leases.renew(key, replica, ttlMs)
        : await leases.acquire(key, replica, 1, ttlMs);
      if (ok) {
        this.confirmedFrom = sentAt;
        if (!this.held) this.set(true);
      } else if (this.held) {
        logger.warn({ lease: key }, 'trainer lease lapsed before it was renewed: no longer the trainer');
        this.set(false);
      }
    } catch (err) {
      if (this.held && Date.now() - this.confirmedFrom >= ttlMs) {
        logger.warn(
          { err, lease: key },
          'trainer lease not confirmed for a whole TTL: no longer the trainer',
        );
        this.set(false);
      } else logger.warn({ err, lease: key }, 'could not reach the cache for the trainer lease; retrying');
    }
  }

  private set(held: boolean): void {
    this.held = held;
    this.options.onChange(held);
  }
}
