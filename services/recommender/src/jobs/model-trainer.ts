import type { Logger } from '@marquee/core';
import type { CatalogEntry } from '../app/catalog.js';
import { runToEnd } from '../app/cooperative.js';
import {
  trainSnapshotSteps,
  type ModelSnapshot,
  type TrainingConfig,
  type TrainingInput,
} from '../app/training.js';
import { decideRetrain, type RetrainPolicy } from './retrain-policy.js';
import { cooperativeTraining, type TrainingRunner } from './training-runner.js';

/**
 * Holds the current model snapshot and retrains it by the retrain policy. Training reads the store on
 * this thread, then hands the facts to the training runner — a worker thread in the service, so that
 * seconds of EASE never delay a request (workerTraining), or cooperative slices on this thread — and
 * the new snapshot replaces the old one atomically. One training at a time: events that arrive during
 * one are judged by the policy when it ends.
 */
export class ModelTrainer {
  private snapshot: ModelSnapshot;
  private trained = false;
  private pending = 0;
  private catalogChanged = false;
  private lastStartedMs: number | undefined;
  private lastDurationMs = 0;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Off on a replica that is not the trainer: it adopts published snapshots instead (model-replication.ts). */
  private training = true;
  private readonly abort = new AbortController();

  constructor(
    private readonly deps: {
      load(): Promise<TrainingInput>;
      /** Where training runs (default: cooperatively on this thread). */
      runner?: TrainingRunner;
      config: TrainingConfig;
      policy: RetrainPolicy;
      logger: Logger;
      /** `titles` are the training input's entries (a published snapshot carries them). */
      onTrained?(snapshot: ModelSnapshot, seconds: number, titles: readonly CatalogEntry[]): void;
      now?(): number;
    },
  ) {
    this.snapshot = emptySnapshot(deps.config);
  }

  current(): ModelSnapshot {
    return this.snapshot;
  }

  /** True once a first training from the store has finished. */
  isReady(): boolean {
    return this.trained;
  }

  /** Turns retraining on (this replica became the trainer) or off; on starts considering at once. */
  setTraining(on: boolean): void {
    this.training = on;
    if (on) this.consider('event');
  }

  /** Serves a snapshot another replica trained (it is ready from then on). */
  adopt(snapshot: ModelSnapshot): void {
    this.snapshot = snapshot;
    this.trained = true;
  }

  /** Starts the schedule and the first training (not awaited: readiness reports it). */
  start(): void {
    this.timer = setInterval(() => this.consider('schedule'), this.deps.policy.intervalMs);
    this.timer.unref();
    this.consider('event');
  }

  /** Records applied events; a title publication asks for a prompt retraining. */
  noteEvent(kind: 'interaction' | 'title'): void {
    this.pending++;
    if (kind === 'title') this.catalogChanged = true;
    this.consider('event');
  }

  /** Trains now (tests, admin), waiting for it; joins a training already running. */
  async retrainNow(): Promise<ModelSnapshot> {
    while (this.running) await this.running;
    await this.run();
    return this.snapshot;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    this.abort.abort();
    await this.deps.runner?.close(); // a worker's training in flight ends with it
    await this.running?.catch(() => undefined);
  }

  private consider(trigger: 'event' | 'schedule'): void {
    if (this.stopped || !this.training) return;
    if (this.running) return; // reconsidered when it ends
    const decision = decideRetrain(
      {
        pending: this.pending,
        catalogChanged: this.catalogChanged,
        lastStartedMs: this.lastStartedMs,
        lastDurationMs: this.lastDurationMs,
        nowMs: this.now(),
      },
      this.deps.policy,
      trigger,
    );
    if (decision.retrain) void this.run();
    else if (decision.retryInMs !== undefined && !this.retry) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.consider('event');
      }, decision.retryInMs);
      this.retry.unref();
    }
  }

  private run(): Promise<void> {
    this.lastStartedMs = this.now();
    this.pending = 0;
    this.catalogChanged = false;
    const started = performance.now();
    this.running = (async () => {
      try {
        const input = await this.deps.load();
        const snapshot = await (this.deps.runner ?? cooperativeTraining).train(
          input,
          this.deps.config,
          this.abort.signal,
        );
        this.snapshot = snapshot;
        this.trained = true;
        const seconds = (performance.now() - started) / 1000;
        this.deps.logger.info(
          {
            version: snapshot.version,
            model: snapshot.personalModel,
            titles: snapshot.catalog.titles.length,
            profiles: snapshot.profiles,
            interactions: snapshot.interactions,
            seconds: Math.round(seconds * 1000) / 1000,
          },
          'recommendation models trained',
        );
        this.deps.onTrained?.(snapshot, seconds, input.titles);
      } catch (err) {
        if (!this.stopped)
          this.deps.logger.error({ err }, 'recommendation training failed; keeping the previous models');
      } finally {
        this.running = undefined;
        this.lastDurationMs = performance.now() - started;
      }
      // Events that arrived while training are judged now, by the same policy.
      this.consider('event');
    })();
    return this.running;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

function emptySnapshot(config: TrainingConfig): ModelSnapshot {
  return runToEnd(trainSnapshotSteps({ titles: [], interactions: [] }, config));
}
