import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@marquee/core';
import { takeReplicaLease, type Cache, type ReplicaLease } from '@marquee/platform';
import { Counter, Gauge, type Registry } from 'prom-client';
import { nextAttempt, tickAt, type JobOutcome } from '../app/job-schedule.js';

/**
 * A name for this replica in job leases, logs and metrics: the host name (the pod name in Kubernetes),
 * the pid and a random suffix, so that two storage instances in one process still differ.
 */
export function replicaName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function jobMetrics(registry: Registry) {
  return {
    attempts: new Counter({
      name: 'storage_job_attempts_total',
      help: "Scheduled job attempts by outcome: 'ran' on exactly one replica per tick, 'held' or 'already-ran' on the others",
      labelNames: ['job', 'replica', 'outcome'],
      registers: [registry],
    }),
    running: new Gauge({
      name: 'storage_job_running',
      help: "1 while this replica holds the job's lease and runs it",
      labelNames: ['job', 'replica'],
      registers: [registry],
    }),
    lastRun: new Gauge({
      name: 'storage_job_last_run_timestamp_seconds',
      help: 'When this replica last finished a run of the job',
      labelNames: ['job', 'replica'],
      registers: [registry],
    }),
  };
}
export type JobMetrics = ReturnType<typeof jobMetrics>;

export interface ExclusiveJobOptions {
  /** e.g. 'lifecycle': names the lease and labels every log line and metric. */
  name: string;
  intervalMs: number;
  /** This replica's name (replicaName()); must differ between replicas sharing the cache. */
  replica: string;
  /**
   * How long the lease outlives its holder's last renewal: a replica that dies mid-run has its tick
   * taken over within about twice this. Renewed every third of it while the job runs.
   */
  leaseTtlMs: number;
  cache: Cache;
  logger: Logger;
  metrics: JobMetrics;
  /** The work. It should return soon after `signal` aborts (lease lost, or this replica stopping). */
  run(signal: AbortSignal, logger: Logger): Promise<unknown>;
}

/** Kept in the cache under the job's name: which tick last ran, where, and how it went. */
export interface LastJobRun {
  tick: number;
  replica: string;
  outcome: 'ran' | 'failed';
  finishedAt: string;
}

/**
 * Runs a scheduled job on one replica at a time and once per tick of its interval (see job-schedule.ts)
 * with nothing shared but the cache. When a tick starts, every replica tries to take the job's lease
 * (a lease with one holder allowed); the one that gets it checks the tick has not run yet, runs the
 * job while renewing the lease, records the tick in the cache and releases the lease. The others find
 * the lease held, or the tick recorded, and skip; while the tick lasts they try again every lease TTL,
 * so when the holder stops mid-run (it releases the lease) or dies (the lease lapses unrenewed) another
 * replica runs the tick. A holder that can no longer renew aborts its run.
 *
 * @example
 *   const scrub = new ExclusiveJob({ name: 'scrub', intervalMs: DAY, replica, leaseTtlMs: 30_000,
 *     cache, logger, metrics, run: (signal) => scrubBlobs(..., signal) });
 *   scrub.start(); // first attempt at the next tick
 *   await scrub.stop();
 */
export class ExclusiveJob {
  readonly name: string;
  readonly replica: string;
  readonly #options: ExclusiveJobOptions;
  readonly #leaseKey: string;
  readonly #lastRunKey: string;
  readonly #logger: Logger;
  readonly #attempts = new Set<Promise<JobOutcome>>();
  /** An attempt of this replica is under way (set before its first await). */
  #busy = false;
  #running: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ExclusiveJobOptions) {
    this.#options = options;
    this.name = options.name;
    this.replica = options.replica;
    this.#leaseKey = `storage:jobs:${options.name}`;
    this.#lastRunKey = `storage:jobs:${options.name}:last-run`;
    this.#logger = options.logger.child({ job: options.name, replica: options.replica });
  }

  /** Schedules attempts, the first at the start of the next tick. */
  start(): void {
    const tick = tickAt(Date.now(), this.#options.intervalMs) + 1;
    this.#schedule(tick, tick * this.#options.intervalMs);
  }

  /** Stops scheduling, aborts a run in progress (its lease is released, so another replica takes over) and waits for it. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#running?.abort(new Error('replica stopping'));
    await Promise.all(this.#attempts);
  }

  /** One attempt at `tick`, as every replica makes when the tick starts. Never throws. */
  async runTick(tick: number): Promise<JobOutcome> {
    const attempt = this.#attempt(tick);
    this.#attempts.add(attempt);
    try {
      const outcome = await attempt;
      this.#options.metrics.attempts.inc({ job: this.name, replica: this.replica, outcome });
      return outcome;
    } finally {
      this.#attempts.delete(attempt);
    }
  }

  /** Where the job last ran (from the cache, so any replica can tell). */
  lastRun(): Promise<LastJobRun | undefined> {
    return this.#options.cache.get<LastJobRun>(this.#lastRunKey);
  }

  async #attempt(tick: number): Promise<JobOutcome> {
    // Leases are per holder name, and a holder acquiring again only renews: an attempt overlapping
    // this replica's own (a long run meeting the next tick) must not count as holding the lease.
    if (this.#busy) return 'held';
    this.#busy = true;
    try {
      return await this.#attemptAlone(tick);
    } finally {
      this.#busy = false;
    }
  }

  async #attemptAlone(tick: number): Promise<JobOutcome> {
    const { cache, leaseTtlMs } = this.#options;
    if (this.#stopped) return 'aborted';
    let lease: ReplicaLease | undefined;
    try {
      lease = await takeReplicaLease(cache.leases, {
        key: this.#leaseKey,
        holder: this.replica,
        ttlMs: leaseTtlMs,
        logger: this.#logger,
      });
      if (!lease) {
        this.#logger.debug(
          { tick, holders: await cache.leases.holders(this.#leaseKey) },
          'job held elsewhere',
        );
        return 'held';
      }
    } catch (err) {
      this.#logger.error({ err, tick }, 'job not run: the cache that elects its replica is unreachable');
      return 'cache-unavailable';
    }
    try {
      const last = await this.lastRun();
      if (last && last.tick >= tick) {
        this.#logger.debug({ tick, last }, 'job already ran this tick');
        return 'already-ran';
      }
      if (this.#stopped) return 'aborted';
      return await this.#runHoldingLease(tick, lease);
    } catch (err) {
      this.#logger.error({ err, tick }, 'job not run: the cache that records its runs is unreachable');
      return 'cache-unavailable';
    } finally {
      await lease.release();
    }
  }

  async #runHoldingLease(tick: number, lease: ReplicaLease): Promise<JobOutcome> {
    const { cache, intervalMs, leaseTtlMs, metrics } = this.#options;
    const controller = new AbortController();
    this.#running = controller;
    // Stop before another replica's copy of the run starts.
    const onLost = () => {
      if (controller.signal.aborted) return;
      this.#logger.warn(
        { why: String(lease.lost.reason) },
        'lost the lease: stopping so another replica can take over',
      );
      controller.abort(lease.lost.reason);
    };
    if (lease.lost.aborted) onLost();
    else lease.lost.addEventListener('abort', onLost, { once: true });
    const labels = { job: this.name, replica: this.replica };
    metrics.running.set(labels, 1);
    const startedAt = Date.now();
    this.#logger.info({ tick }, 'scheduled job started');
    let outcome: JobOutcome;
    try {
      await this.#options.run(controller.signal, this.#logger);
      outcome = controller.signal.aborted ? 'aborted' : 'ran';
    } catch (err) {
      outcome = controller.signal.aborted ? 'aborted' : 'failed';
      if (outcome === 'failed') this.#logger.error({ err, tick }, 'scheduled job failed');
    } finally {
      lease.lost.removeEventListener('abort', onLost);
      metrics.running.set(labels, 0);
      this.#running = undefined;
    }
    if (outcome === 'ran' || outcome === 'failed') {
      metrics.lastRun.set(labels, Date.now() / 1000);
      // A run that outlasted its tick covers the ticks it overlapped: they are not run again.
      const record: LastJobRun = {
        tick: Math.max(tick, tickAt(Date.now(), intervalMs)),
        replica: this.replica,
        outcome,
        finishedAt: new Date().toISOString(),
      };
      await cache
        .set(this.#lastRunKey, record, 2 * intervalMs + leaseTtlMs)
        .catch((err: unknown) =>
          this.#logger.warn({ err, tick }, 'could not record the run; another replica may repeat this tick'),
        );
    }
    this.#logger.info({ tick, outcome, durationMs: Date.now() - startedAt }, 'scheduled job finished');
    return outcome;
  }

  #schedule(tick: number, at: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#fire(tick), Math.max(0, at - Date.now()));
    this.#timer.unref();
  }

  async #fire(tick: number): Promise<void> {
    const outcome = await this.runTick(tick);
    const next = nextAttempt(outcome, tick, Date.now(), this.#options.intervalMs, this.#options.leaseTtlMs);
    this.#schedule(next.tick, next.at);
  }
}
