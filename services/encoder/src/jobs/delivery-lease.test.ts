import { createLogger } from '@marquee/core';
import { EventLeaseLostError } from '@marquee/platform';
import { describe, expect, it } from 'vitest';
import { keepDeliveryLeased } from './delivery-lease.js';

const logger = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A delivery whose extendLease answers from a script (the bus side is covered by the events contract). */
function delivery(answer: (call: number) => Promise<void>) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    extendLease: () => answer(++calls),
  };
}

describe('keepDeliveryLeased', () => {
  it('extends every interval until stopped', async () => {
    const d = delivery(async () => undefined);
    const lease = keepDeliveryLeased(d, { everyMs: 20, signal: new AbortController().signal, logger });
    await sleep(110);
    lease.stop();
    const calls = d.calls;
    expect(calls).toBeGreaterThanOrEqual(3);
    await sleep(60);
    expect(d.calls).toBe(calls);
    expect(lease.signal.aborted).toBe(false);
  });

  it('aborts the job when the lease is lost, and stops extending', async () => {
    const lost = new EventLeaseLostError('encoder', 7, 'gone');
    const d = delivery(async (call) => {
      if (call === 2) throw lost;
    });
    const lease = keepDeliveryLeased(d, { everyMs: 20, signal: new AbortController().signal, logger });
    await sleep(100);
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBe(lost);
    expect(d.calls).toBe(2);
    lease.stop();
  });

  it('keeps trying after an extension that failed without losing the lease', async () => {
    const d = delivery(async (call) => {
      if (call === 1) throw new Error('bus unreachable');
    });
    const lease = keepDeliveryLeased(d, { everyMs: 20, signal: new AbortController().signal, logger });
    await sleep(100);
    expect(lease.signal.aborted).toBe(false);
    expect(d.calls).toBeGreaterThanOrEqual(3);
    lease.stop();
  });

  it('stops extending once the worker aborts the job', async () => {
    const worker = new AbortController();
    const d = delivery(async () => undefined);
    const lease = keepDeliveryLeased(d, { everyMs: 20, signal: worker.signal, logger });
    await sleep(50);
    worker.abort();
    const calls = d.calls;
    await sleep(80);
    expect(d.calls).toBe(calls);
    expect(lease.signal.aborted).toBe(true);
    lease.stop();
  });
});
