import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionHeartbeat } from './heartbeat.js';

describe('SessionHeartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets the stop follow the beat in flight, and sends none after it', async () => {
    const sent: number[] = [];
    let answer: (() => void) | undefined;
    let position = 10;
    const heartbeat = new SessionHeartbeat(
      15_000,
      (p) => {
        sent.push(p);
        return new Promise<void>((resolve) => (answer = resolve));
      },
      () => position,
    );
    await vi.advanceTimersByTimeAsync(15_000);
    expect(sent).toEqual([10]);
    // Still unanswered a whole interval later: not doubled.
    position = 25;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(sent).toEqual([10]);

    let stopped = false;
    const stop = heartbeat.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    answer!();
    await stop;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toEqual([10]);
  });

  it('stops at once with nothing in flight, and a failed beat is no failure of the session', async () => {
    let calls = 0;
    const heartbeat = new SessionHeartbeat(
      1_000,
      () => {
        calls++;
        return Promise.reject(new Error('heartbeat http 503'));
      },
      () => 0,
    );
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toBe(2);
    await expect(heartbeat.stop()).resolves.toBeUndefined();
  });
});
