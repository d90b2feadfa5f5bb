import { describe, expect, it } from 'vitest';
import { Deadline } from './deadline.js';

const nextAbort = (d: Deadline) => new Promise<void>((resolve) => d.once('abort', () => resolve()));

describe('Deadline', () => {
  it('aborts with a TimeoutError once its time is up', async () => {
    const d = new Deadline(20);
    await nextAbort(d);
    expect(d.aborted).toBe(true);
    expect((d.reason as Error).name).toBe('TimeoutError');
  });

  it("ends early with the caller's reason when a linked signal aborts", () => {
    const caller = new AbortController();
    const d = new Deadline(10_000).link(caller.signal);
    caller.abort(new Error('client left'));
    expect(d.aborted).toBe(true);
    expect((d.reason as Error).message).toBe('client left');
    d.clear();
  });

  it('stops the clock and forgets the caller when cleared', async () => {
    const caller = new AbortController();
    const d = new Deadline(20).link(caller.signal);
    d.clear();
    caller.abort();
    await new Promise((r) => setTimeout(r, 40));
    expect(d.aborted).toBe(false);
  });
});
