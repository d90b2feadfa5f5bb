import { Worker } from 'node:worker_threads';
import type { SweepHelperData } from './sweep-helper.js';
import { CONTROL_WORDS, releaseHelpers, type SweepHelpers, type SweepWorkspace } from './sweep-inverse.js';

/**
 * Starts `count` helper threads on a sweep's shared memory. They take tasks as soon as they are up
 * (the coordinator does not wait for them: a helper that starts late just takes fewer tasks), and
 * leave when stop() releases them.
 */
export function startSweepHelpers(workspace: SweepWorkspace, count: number): SweepHelpers {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const data: SweepHelperData = { memory: workspace.memory, layout: workspace.layout, control };
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(new URL('./sweep-helper.mjs', import.meta.url), { workerData: data });
    worker.unref();
    // A failing task is reported through the control block; this only keeps the error from being
    // unhandled once the coordinator has moved on.
    worker.on('error', () => {});
    return worker;
  });
  return {
    control,
    stop() {
      releaseHelpers(control);
      for (const worker of workers) void worker.terminate();
    },
  };
}
