import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Runs a step generator (a model's training) to its end, giving the event loop a turn whenever a
 * slice of `sliceMs` (default 4 ms) has been used, so requests keep being answered while a model
 * trains in the same process. The result is exactly what running the steps synchronously gives.
 * A short slice matters: a request's every await may wait behind one slice.
 */
export async function runCooperatively<T>(
  steps: Generator<void, T, void>,
  options: { sliceMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const sliceMs = options.sliceMs ?? 4;
  let deadline = performance.now() + sliceMs;
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() >= deadline) {
      await nextTurn();
      options.signal?.throwIfAborted();
      deadline = performance.now() + sliceMs;
    }
  }
}

/** Runs a step generator synchronously (offline evaluation, tests). */
export function runToEnd<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
