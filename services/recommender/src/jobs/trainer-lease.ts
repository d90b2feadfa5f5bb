import type { Logger } from '@marquee/core';
import { keepLease, type Leases } from '@marquee/platform';

/**
 * Which replica trains: the holder of one cache lease (one holder allowed). Every replica that does
 * not hold it tries to take it every third of its TTL; the holder keeps it (platform's keepLease:
 * renewed at the same pace) and stops considering itself the trainer once keepLease says it may be
 * someone else's. A replica that dies stops renewing, and another takes over within about 4/3 of the TTL.
 */
export class TrainerLease {
  private held = false;
  private stopKeeping: (() => void) | undefined;
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
    this.stopKeeping?.();
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
    if (this.held) return; // keepLease renews it
    const { leases, key, replica, ttlMs, logger } = this.options;
    const sentAt = Date.now();
    try {
      if (!(await leases.acquire(key, replica, 1, ttlMs))) return;
    } catch (err) {
      logger.warn({ err, lease: key }, 'could not reach the cache for the trainer lease; retrying');
      return;
    }
    const lost = (why: string) => {
      logger.warn({ lease: key, why }, 'lost the trainer lease: no longer the trainer');
      this.set(false);
    };
    this.stopKeeping = keepLease(leases, { key, holder: replica, ttlMs }, lost, logger, sentAt);
    this.set(true);
  }

  private set(held: boolean): void {
    this.held = held;
    this.options.onChange(held);
  }
}
