/** One call's deadline, linked into its DeadlineList until it settles or expires. */
interface Pending {
  expiresAt: number;
  reject: (err: Error) => void;
  prev: Pending | undefined;
  next: Pending | undefined;
  linked: boolean;
}

/**
 * Deadlines of many calls that share one timeout, under one timer: a call is appended (the list stays
 * ordered by expiry because the timeout is the same for all) and unlinked the moment it settles, the
 * timer is armed for the oldest, and on firing it rejects every call past its deadline. One timer, a
 * Promise.race and a `finally` per call — the shared rate-limit counter's guard on every request — were
 * a visible share of a proxied call's CPU (bench/gateway); this costs one promise and one small object,
 * garbage as soon as the call settles.
 */
export class DeadlineList {
  private head: Pending | undefined;
  private tail: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly expired: () => Error,
    private readonly now: () => number = Date.now,
  ) {}

  /** `promise`'s outcome, or a rejection with `expired()` once the timeout has passed without one. */
  within<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        expiresAt: this.now() + this.timeoutMs,
        reject,
        prev: this.tail,
        next: undefined,
        linked: true,
      };
      if (this.tail) this.tail.next = entry;
      else this.head = entry;
      this.tail = entry;
      this.timer ??= this.arm(this.timeoutMs);
      promise.then(
        (value) => {
          this.unlink(entry);
          resolve(value);
        },
        (err: unknown) => {
          this.unlink(entry);
          reject(err as Error);
        },
      );
    });
  }

  private unlink(entry: Pending): void {
    if (!entry.linked) return;
    entry.linked = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = undefined;
  }

  private arm(inMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.expireDue(), Math.max(0, inMs));
    timer.unref();
    return timer;
  }

  private expireDue(): void {
    this.timer = undefined;
    const now = this.now();
    while (this.head && this.head.expiresAt <= now) {
      const entry = this.head;
      this.unlink(entry);
      entry.reject(this.expired());
    }
    if (this.head) this.timer = this.arm(this.head.expiresAt - now);
  }
}
