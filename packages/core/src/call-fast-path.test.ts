import { describe, expect, it } from 'vitest';
import type { Dispatcher, Pool } from 'undici';
import { BulkheadRejectedError } from 'cockatiel';
import { CallSlots, DeadlineQueue } from './call-fast-path.js';

type Callback = (err: Error | null, data?: Dispatcher.ResponseData) => void;

/** A pool that records its calls and answers only when told (a stalled one never does). */
function fakePool() {
  const calls: { signal: { aborted: boolean; once: (e: 'abort', f: () => void) => void }; cb: Callback }[] =
    [];
  const pool = {
    request(options: { signal: never }, cb: Callback) {
      calls.push({ signal: options.signal, cb });
    },
  } as unknown as Pool;
  return { pool, calls };
}

const answer = () => {
  let destroyed = false;
  const data = { statusCode: 200, body: { destroy: () => void (destroyed = true) } };
  return { data: data as unknown as Dispatcher.ResponseData, destroyed: () => destroyed };
};

describe('DeadlineQueue', () => {
  it('settles with an answer in time, and rejects a call nobody answers with a TimeoutError', async () => {
    const queue = new DeadlineQueue();
    const { pool, calls } = fakePool();
    const answered = queue.request(pool, { method: 'GET', path: '/' }, 1_000);
    const stalled = queue.request(pool, { method: 'GET', path: '/' }, 30);
    let aborted = false;
    calls[1]!.signal.once('abort', () => void (aborted = true));
    const ok = answer();
    calls[0]!.cb(null, ok.data);
    await expect(answered).resolves.toBe(ok.data);
    await expect(stalled).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(aborted).toBe(true); // undici was told to abort it
    // An answer after the deadline frees its connection.
    const late = answer();
    calls[1]!.cb(null, late.data);
    expect(late.destroyed()).toBe(true);
    expect(ok.destroyed()).toBe(false);
    // undici fails an aborted call late, with `{ opaque }` and no body: nothing to free, nothing thrown.
    const another = queue.request(pool, { method: 'GET', path: '/' }, 10);
    await expect(another).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(() => calls[2]!.cb(new Error('aborted'), { opaque: null } as never)).not.toThrow();
  });

  it('expires calls with different timeouts in the order of their deadlines', async () => {
    const queue = new DeadlineQueue();
    const { pool } = fakePool();
    const order: number[] = [];
    const calls = [200, 20, 100, 60].map((ms) =>
      queue.request(pool, { method: 'GET', path: '/' }, ms).catch(() => void order.push(ms)),
    );
    await Promise.all(calls);
    expect(order).toEqual([20, 60, 100, 200]);
  });

  it('passes an error of the pool through', async () => {
    const queue = new DeadlineQueue();
    const { pool, calls } = fakePool();
    const failing = queue.request(pool, { method: 'GET', path: '/' }, 1_000);
    calls[0]!.cb(new Error('connect ECONNREFUSED'));
    await expect(failing).rejects.toThrow('ECONNREFUSED');
  });
});

describe('CallSlots', () => {
  it('gives free slots at once, queues up to the bound, refuses beyond, and hands slots on', async () => {
    const slots = new CallSlots(2, 1);
    expect(slots.tryAcquire()).toBe(true);
    await slots.acquire();
    expect(slots.tryAcquire()).toBe(false);
    let queued = false;
    const waiting = slots.acquire().then(() => void (queued = true));
    await expect(slots.acquire()).rejects.toBeInstanceOf(BulkheadRejectedError);
    slots.release(); // passes to the waiter
    await waiting;
    expect(queued).toBe(true);
    expect(slots.tryAcquire()).toBe(false);
    slots.release();
    slots.release();
    expect(slots.tryAcquire()).toBe(true);
  });
});
