import type { Logger } from 'pino';

/** One piece of background work; it should return soon after `signal` aborts (the service is stopping). */
export type BackgroundTask = (signal: AbortSignal) => Promise<unknown>;

/**
 * What a service does besides answering requests — work after an answer (a mail, a lookup), periodic
 * chores (pruning, expiring) — tracked so that `stop()` can end it before the service closes its
 * database. Without it a chore's transaction could still hold row locks while the process tears the
 * database down (a test dropping its PostgreSQL schema deadlocked on one: 40P01).
 *
 * @example
 *   const background = new BackgroundWork(logger);
 *   background.every(60_000, 'expire sessions', (signal) => expireSessions(db, signal));
 *   background.run('welcome mail', () => mailer.sendWelcome(accountId)); // after the answer
 *   // stop(): first the background, then the database.
 *   await background.stop();
 *   await db.close();
 */
export class BackgroundWork {
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopping: Promise<void> | undefined;

  constructor(private readonly logger: Pick<Logger, 'error'>) {}

  /** Aborts once stop() is called. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * Starts `task` now and tracks it; once stopping it is not started. A failure is logged (error) with `name`,
   * never thrown: the caller has already answered. The promise settles when the task has.
   */
  run(name: string, task: BackgroundTask): Promise<void> {
    if (this.#abort.signal.aborted) return Promise.resolve();
    const running: Promise<void> = task(this.#abort.signal).then(
      () => undefined,
      (err: unknown) => {
        if (!this.#abort.signal.aborted) this.logger.error({ err }, `${name} failed`);
      },
    );
    const tracked = running.finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
    return tracked;
  }

  /**
   * Runs `task` every `intervalMs` (not at once), skipping a turn while the previous run still goes.
   * The timer does not keep the process alive.
   */
  every(intervalMs: number, name: string, task: BackgroundTask): void {
    let current: Promise<void> | undefined;
    const timer = setInterval(() => {
      current ??= this.run(name, task).finally(() => (current = undefined));
    }, intervalMs);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Starts nothing new, aborts the signal, and resolves once every task running has settled. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const timer of this.#timers) clearInterval(timer);
      this.#abort.abort(new Error('service stopping'));
      while (this.#running.size > 0) await Promise.all([...this.#running]);
    })();
    return this.#stopping;
  }
}
