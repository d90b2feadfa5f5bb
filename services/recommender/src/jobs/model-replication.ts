import type { Logger } from '@marquee/core';
import type { BlobStore, Cache } from '@marquee/platform';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CatalogEntry } from '../app/catalog.js';
import type { ModelSnapshot } from '../app/training.js';
import { ModelPublication, type ModelPointer } from './model-publication.js';
import type { ModelTrainer } from './model-trainer.js';
import { TrainerLease } from './trainer-lease.js';

/** The trainer lease: whoever holds it trains and publishes. */
export const LEASE_KEY = 'recs:trainer';
/** Events applied by replicas that are not the trainer, counted for the trainer's retrain policy. */
const FORWARDED = { interaction: 'recs:trainer:interactions', title: 'recs:trainer:titles' } as const;
const COUNTER_TTL_MS = 7 * 24 * 60 * 60_000;

export interface ModelReplicationOptions {
  replica: string;
  leaseTtlMs: number;
  /** How often a replica that is not the trainer checks the pointer (and the trainer the forwarded events). */
  pollMs: number;
  cache: Cache;
  blobs: BlobStore;
  trainer: ModelTrainer;
  logger: Logger;
  registry: Registry;
}

export interface ModelStatus {
  replica: string;
  trainer: boolean;
  version: string;
  ready: boolean;
  publishedVersion: string | undefined;
}

/**
 * One trained model for every replica. The lease holder (TrainerLease) trains by the retrain policy and
 * publishes each new snapshot (ModelPublication); the others do not train: they check the pointer every
 * `pollMs` and adopt a newer snapshot, so every replica answers from the same version within a poll.
 * Events a non-trainer applies still count for the trainer's policy, through counters in the cache.
 */
export class ModelReplication {
  private readonly lease: TrainerLease;
  private readonly publication: ModelPublication;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private publishing: Promise<void> = Promise.resolve();
  private lastTrained: { snapshot: ModelSnapshot; titles: readonly CatalogEntry[] } | undefined;
  private published: string | undefined;
  /** The pointer last refused (sha256): logged once, not re-downloaded every poll. */
  private rejected: string | undefined;
  private seen = { interaction: 0, title: 0 };
  private readonly metrics;

  constructor(private readonly options: ModelReplicationOptions) {
    this.logger = options.logger.child({ replica: options.replica });
    this.publication = new ModelPublication(options.blobs, this.logger);
    this.lease = new TrainerLease({
      leases: options.cache.leases,
      key: LEASE_KEY,
      replica: options.replica,
      ttlMs: options.leaseTtlMs,
      logger: this.logger,
      onChange: (held) => this.onLeaseChange(held),
    });
    const registry = [options.registry];
    this.metrics = {
      trainer: new Gauge({
        name: 'recommender_trainer',
        help: '1 while this replica holds the trainer lease (trains and publishes the models)',
        registers: registry,
      }),
      model: new Gauge({
        name: 'recommender_model_info',
        help: 'The model version this replica serves (value 1, version label)',
        labelNames: ['version'],
        registers: registry,
      }),
      published: new Counter({
        name: 'recommender_model_publications_total',
        help: 'Snapshots this replica published as the trainer',
        registers: registry,
      }),
      rejected: new Counter({
        name: 'recommender_model_snapshots_rejected_total',
        help: 'Published snapshots this replica refused (corrupt or an incompatible format)',
        registers: registry,
      }),
    };
    this.metrics.trainer.set(0);
    // Nobody trains until the lease says so: a replica that is not the trainer must not serve its own model.
    options.trainer.setTraining(false);
    this.showVersion();
  }

  isTrainer(): boolean {
    return this.lease.isHeld();
  }

  status(): ModelStatus {
    return {
      replica: this.options.replica,
      trainer: this.isTrainer(),
      version: this.options.trainer.current().version,
      ready: this.options.trainer.isReady(),
      publishedVersion: this.published,
    };
  }

  /** For ModelTrainer's onTrained: the trainer publishes what it trained (in order, one at a time). */
  trained(snapshot: ModelSnapshot, titles: readonly CatalogEntry[]): void {
    this.lastTrained = { snapshot, titles };
    this.showVersion();
    void this.publishLatest();
  }

  /** Publishes the last trained snapshot if it is not the published one; never throws. */
  publishLatest(): Promise<void> {
    this.publishing = this.publishing.then(async () => {
      const latest = this.lastTrained;
      if (!latest || !this.isTrainer() || latest.snapshot.version === this.published) return;
      try {
        const pointer = await this.publication.publish(latest.snapshot, latest.titles, this.options.replica);
        this.published = pointer.version;
        this.metrics.published.inc();
        this.logger.info({ version: pointer.version, bytes: pointer.size }, 'model snapshot published');
      } catch (err) {
        this.logger.error({ err }, 'could not publish the model snapshot; retrying at the next poll');
      }
    });
    return this.publishing;
  }

  /** Records an applied event: the trainer counts it itself, another replica forwards it through the cache. */
  noteEvent(kind: 'interaction' | 'title'): void {
    if (this.isTrainer()) return this.options.trainer.noteEvent(kind);
    this.options.cache
      .increment(FORWARDED[kind], COUNTER_TTL_MS)
      .catch((err: unknown) => this.logger.warn({ err }, 'could not tell the trainer about an event'));
  }

  async start(): Promise<void> {
    await this.lease.start();
    if (!this.isTrainer()) await this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.lease.stop();
    await this.publishing;
  }

  /** One poll now: a non-trainer adopts a newer published snapshot; the trainer folds in forwarded events. */
  poll(): Promise<void> {
    this.polling ??= (this.isTrainer() ? this.asTrainer() : this.asFollower()).finally(
      () => (this.polling = undefined),
    );
    return this.polling;
  }

  /**
   * A poll that begins after this call: one under way may have read the pointer before the caller's
   * change, so joining it would not see that change.
   */
  async pollAfterNow(): Promise<void> {
    await this.polling;
    return this.poll();
  }

  private onLeaseChange(held: boolean): void {
    this.metrics.trainer.set(held ? 1 : 0);
    this.logger.info(
      { trainer: held },
      held ? 'this replica is now the trainer' : 'this replica stopped training',
    );
    // A new trainer publishes its first model even when it equals the adopted one: the pointer may
    // have changed since (a snapshot this replica refused, say).
    if (held) this.published = undefined;
    if (held) void this.readForwarded().finally(() => this.options.trainer.setTraining(true));
    else this.options.trainer.setTraining(false);
  }

  private async asTrainer(): Promise<void> {
    await this.publishLatest();
    try {
      const { interaction, title } = await this.readForwarded();
      for (let i = 0; i < interaction; i++) this.options.trainer.noteEvent('interaction');
      if (title > 0) this.options.trainer.noteEvent('title');
    } catch (err) {
      this.logger.warn({ err }, 'could not read the events other replicas applied');
    }
  }

  /** New forwarded events since the last read (a counter that expired and restarted counts from 0). */
  private async readForwarded(): Promise<{ interaction: number; title: number }> {
    const read = async (kind: keyof typeof FORWARDED) => {
      const value = await this.options.cache.increment(FORWARDED[kind], COUNTER_TTL_MS, 0);
      const fresh = value >= this.seen[kind] ? value - this.seen[kind] : value;
      this.seen[kind] = value;
      return fresh;
    };
    return { interaction: await read('interaction'), title: await read('title') };
  }

  private async asFollower(): Promise<void> {
    let pointer: ModelPointer | undefined;
    try {
      pointer = await this.publication.pointer();
    } catch (err) {
      this.logger.warn({ err }, 'could not read the model pointer; keeping the current model');
      return;
    }
    const current = this.options.trainer.current();
    if (!pointer || (pointer.version === current.version && this.options.trainer.isReady())) return;
    if (pointer.sha256 === this.rejected) return;
    try {
      const snapshot = await this.publication.load(pointer);
      this.options.trainer.adopt(snapshot);
      this.lastTrained = undefined; // one this replica trained before is older: never publish it now
      this.published = pointer.version;
      this.showVersion();
      this.logger.info({ version: snapshot.version, from: pointer.replica }, 'adopted the published model');
    } catch (err) {
      if (err instanceof Error && err.name === 'IncompatibleSnapshotError') {
        this.rejected = pointer.sha256;
        this.metrics.rejected.inc();
        this.logger.error(
          { err, version: pointer.version, key: pointer.key },
          'published model snapshot rejected; keeping the current model',
        );
      } else this.logger.warn({ err, key: pointer.key }, 'could not load the published model; retrying');
    }
  }

  private showVersion(): void {
    this.metrics.model.reset();
    this.metrics.model.set({ version: this.options.trainer.current().version }, 1);
  }
}
