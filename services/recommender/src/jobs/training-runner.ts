import { Worker } from 'node:worker_threads';
import type { Logger } from '@marquee/core';
import { runCooperatively } from '../app/cooperative.js';
import { snapshotFromParts, type SnapshotParts } from '../app/snapshot-transfer.js';
import {
  trainSnapshotSteps,
  type ModelSnapshot,
  type TrainingConfig,
  type TrainingInput,
} from '../app/training.js';

/** Trains a snapshot from the store's facts; where the CPU work happens is the runner's business. */
export interface TrainingRunner {
  train(input: TrainingInput, config: TrainingConfig, signal: AbortSignal): Promise<ModelSnapshot>;
  close(): Promise<void>;
}

/** On this thread, in 4 ms slices between which requests are served (tests; the fallback). */
export const cooperativeTraining: TrainingRunner = {
  train: (input, config, signal) => runCooperatively(trainSnapshotSteps(input, config), { signal }),
  close: async () => {},
};

type Reply = { ready: true } | { id: number; parts: SnapshotParts } | { id: number; error: string };

/**
 * On a worker thread, so a training (seconds of CPU for EASE) never delays a request: the serving
 * thread only loads the facts, posts them, and swaps in the snapshot that comes back. The worker is
 * started on first use and kept; if it cannot start (or dies), trainings fall back to the
 * cooperative runner on this thread and the reason is logged.
 */
export function workerTraining(logger: Logger): TrainingRunner {
  let worker: Worker | undefined;
  let ready: Promise<Worker> | undefined;
  let fallback = false;
  let next = 0;
  const pending = new Map<number, { resolve(p: SnapshotParts): void; reject(e: Error): void }>();

  const start = () =>
    new Promise<Worker>((resolve, reject) => {
      const w = new Worker(new URL('./training-worker.mjs', import.meta.url));
      w.unref();
      w.on('message', (reply: Reply) => {
        if ('ready' in reply) return resolve(w);
        const waiter = pending.get(reply.id);
        pending.delete(reply.id);
        if ('error' in reply) waiter?.reject(new Error(reply.error));
        else waiter?.resolve(reply.parts);
      });
      const lost = (err: Error) => {
        reject(err);
        for (const waiter of pending.values()) waiter.reject(err);
        pending.clear();
        worker = undefined;
        ready = undefined;
      };
      w.on('error', lost);
      w.on('exit', (code) => lost(new Error(`training worker exited with code ${code}`)));
      worker = w;
    });

  return {
    async train(input, config, signal) {
      if (!fallback) {
        try {
          const w = await (ready ??= start());
          const id = ++next;
          const parts = await new Promise<SnapshotParts>((resolve, reject) => {
            pending.set(id, { resolve, reject });
            w.postMessage({ id, input, config });
          });
          return snapshotFromParts(parts);
        } catch (err) {
          if (signal.aborted) throw err;
          if (worker === undefined) {
            fallback = true;
            logger.warn({ err }, 'training worker unavailable: training on the serving thread instead');
          } else throw err;
        }
      }
      return cooperativeTraining.train(input, config, signal);
    },
    async close() {
      const w = worker;
      worker = undefined;
      ready = undefined;
      if (w) await w.terminate();
    },
  };
}
