import { describe, expect, it } from 'vitest';
import { nextAttempt, tickAt, tickStart } from './job-schedule.js';

const MINUTE = 60_000;

describe('ticks', () => {
  it('are aligned to the epoch, so every replica names the same tick', () => {
    expect(tickAt(Date.UTC(2026, 0, 1, 10, 59, 59, 999), 60 * MINUTE)).toBe(
      tickAt(Date.UTC(2026, 0, 1, 10), 60 * MINUTE),
    );
    expect(tickAt(Date.UTC(2026, 0, 1, 11), 60 * MINUTE)).toBe(
      tickAt(Date.UTC(2026, 0, 1, 10), 60 * MINUTE) + 1,
    );
    expect(tickStart(tickAt(Date.UTC(2026, 0, 1, 10, 30), 60 * MINUTE), 60 * MINUTE)).toBe(
      Date.UTC(2026, 0, 1, 10),
    );
  });
});

describe('nextAttempt', () => {
  const interval = 60 * MINUTE;
  const tick = 500_000;
  const start = tickStart(tick, interval);

  it('waits for the next tick after a run, a failure or a tick another replica ran', () => {
    for (const outcome of ['ran', 'failed', 'already-ran'] as const) {
      expect(nextAttempt(outcome, tick, start + 5 * MINUTE, interval, 30_000)).toEqual({
        tick: tick + 1,
        at: tickStart(tick + 1, interval),
      });
    }
  });

  it('retries a tick it could not run after retryMs, while the tick lasts', () => {
    for (const outcome of ['held', 'aborted', 'cache-unavailable'] as const) {
      expect(nextAttempt(outcome, tick, start + 1_000, interval, 30_000)).toEqual({
        tick,
        at: start + 31_000,
      });
    }
    expect(nextAttempt('held', tick, start + interval - 10_000, interval, 30_000)).toEqual({
      tick: tick + 1,
      at: tickStart(tick + 1, interval),
    });
  });

  it('skips the ticks a long run overlapped instead of catching up on them', () => {
    expect(nextAttempt('ran', tick, start + 3.5 * interval, interval, 30_000)).toEqual({
      tick: tick + 4,
      at: tickStart(tick + 4, interval),
    });
  });
});
