import { setImmediate as nextTurn } from 'node:timers/promises';
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
import type { TrainMessage } from './training-worker.js';

/** Trains a snapshot from the store's facts; where the CPU work happens is the runner's business. */
export interface TrainingRunner {
  train(input: TrainingInput, config: TrainingConfig, signal: AbortSignal): Promise<ModelSnapshot>;
  close(): Promise<void>;
}

/** On this thread, in 4 ms slices between which requests are served (tests; the fallback). */
export const cooperativeTraining: TrainingRunner = {
  // One thread: helper threads would block this one while they work, and it serves requests.
  train: (input, config, signal) =>
    runCooperatively(trainSnapshotSteps(input, { ...config, threads: 1 }), { signal }),
  close: async () => {},
};

/** Interactions per message to the worker: cloning 5,000 rows takes a few milliseconds. */
const CHUNK = 5_000;

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
          const parts = new Promise<SnapshotParts>((resolve, reject) => pending.set(id, { resolve, reject }));
          parts.catch(() => undefined); // observed below; a rejection while still sending is not unhandled
          w.postMessage({ id, kind: 'begin', titles: input.titles, config } satisfies TrainMessage);
          for (let at = 0; at < input.interactions.length; at += CHUNK) {
            const rows = input.interactions.slice(at, at + CHUNK);
            w.postMessage({ id, kind: 'interactions', rows } satisfies TrainMessage);
            await nextTurn(); // each chunk's clone is a few ms: requests get served in between
          }
          w.postMessage({ id, kind: 'train' } satisfies TrainMessage);
          return snapshotFromParts(await parts);
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
