import { describe, expect, it, vi } from 'vitest';
import { ConcurrencyLimiter, Gradient2Limit } from './concurrency-limit.js';

/** Feeds `n` samples of `rtt` ms with the upstream saturated (inflight = current limit). */
function feed(limit: Gradient2Limit, n: number, rtt: number | ((i: number) => number)) {
  const trace: number[] = [];
  for (let i = 0; i < n; i++) {
    trace.push(limit.update(typeof rtt === 'number' ? rtt : rtt(i), limit.limit));
  }
  return trace;
}

describe('Gradient2Limit', () => {
  it('grows under steady low latency, one queue allowance at a time, up to the maximum', () => {
    const limit = new Gradient2Limit({ initialLimit: 20, maxLimit: 100 });
    const trace = feed(limit, 50, 10);
    expect(trace[0]).toBe(20); // 20 * 0.8 + (20 + 4) * 0.2 = 20.8
    expect(trace[10]!).toBeGreaterThan(25);
    for (let i = 1; i < trace.length; i++) expect(trace[i]!).toBeGreaterThanOrEqual(trace[i - 1]!);
    feed(limit, 500, 10);
    expect(limit.limit).toBe(100);
  });

  it('tolerates jitter within the RTT tolerance without shrinking', () => {
    const limit = new Gradient2Limit({ initialLimit: 50 });
    feed(limit, 100, 10);
    const before = limit.limit;
    feed(limit, 100, (i) => (i % 2 === 0 ? 8 : 14)); // at most 1.4x the long-term RTT
    expect(limit.limit).toBeGreaterThanOrEqual(before);
  });

  it('shrinks when latency climbs, and never below the minimum', () => {
    const limit = new Gradient2Limit({ initialLimit: 100, minLimit: 10, maxLimit: 200 });
    feed(limit, 200, 10);
    const high = limit.limit;
    const trace = feed(limit, 40, (i) => 10 + i * 10); // upstream queueing: RTT climbs to 400 ms
    expect(trace.at(-1)!).toBeLessThan(high / 2);
    for (let i = 1; i < trace.length; i++) expect(trace[i]!).toBeLessThanOrEqual(trace[i - 1]!);
    // Latency that keeps climbing keeps the short RTT above the lagging long RTT: down to the floor.
    const floor = feed(limit, 300, (i) => 400 * 1.02 ** i);
    expect(Math.min(...floor)).toBe(10);
    expect(limit.limit).toBe(10);
  });

  it('never cuts more than half the limit on a single outlier', () => {
    const limit = new Gradient2Limit({ initialLimit: 100, minLimit: 1, smoothing: 1 });
    feed(limit, 50, 10);
    const before = limit.limit;
    limit.update(100_000, limit.limit);
    expect(limit.limit).toBeGreaterThanOrEqual(Math.floor(before / 2));
  });

  it('recovers after an overload ends (the long-term RTT decays instead of lagging)', () => {
    const limit = new Gradient2Limit({ initialLimit: 50, minLimit: 4, maxLimit: 200 });
    feed(limit, 100, 10);
    feed(limit, 300, 200); // a long overload drags the long-term RTT up
    const low = limit.limit;
    const longDuringOverload = limit.longTermRtt;
    feed(limit, 200, 10);
    expect(limit.longTermRtt).toBeLessThan(longDuringOverload / 2);
    expect(limit.limit).toBeGreaterThan(low);
  });

  it('does not move while the upstream is app-limited (inflight under half the limit)', () => {
    const limit = new Gradient2Limit({ initialLimit: 40 });
    for (let i = 0; i < 100; i++) limit.update(i % 2 ? 10 : 500, 5);
    expect(limit.limit).toBe(40);
  });

  it('validates its options', () => {
    expect(() => new Gradient2Limit({ minLimit: 0 })).toThrow(RangeError);
    expect(() => new Gradient2Limit({ minLimit: 10, maxLimit: 5 })).toThrow(RangeError);
    expect(() => new Gradient2Limit({ smoothing: 0 })).toThrow(RangeError);
    expect(() => new Gradient2Limit({ rttTolerance: 0.5 })).toThrow(RangeError);
    expect(new Gradient2Limit({ initialLimit: 1, minLimit: 3 }).limit).toBe(3);
  });
});

describe('ConcurrencyLimiter', () => {
  it('grants slots up to the limit, sheds beyond it and frees a slot once per outcome', () => {
    const limiter = new ConcurrencyLimiter(new Gradient2Limit({ initialLimit: 2, minLimit: 2, maxLimit: 2 }));
    const a = limiter.acquire();
    const b = limiter.acquire();
    expect(a && b).toBeTruthy();
    expect(limiter.acquire()).toBeUndefined();
    a!.success();
    a!.success(); // a second report must not free a slot it does not hold
    expect(limiter.inflight).toBe(1);
    const c = limiter.acquire();
    expect(c).toBeDefined();
    expect(limiter.acquire()).toBeUndefined();
    b!.ignore();
    c!.dropped();
    expect(limiter.inflight).toBe(0);
  });

  it('samples RTT with the inflight count at start, so a saturated fast upstream raises the limit', () => {
    let now = 0;
    const limiter = new ConcurrencyLimiter(new Gradient2Limit({ initialLimit: 4, maxLimit: 50 }), () => now);
    for (let round = 0; round < 30; round++) {
      const slots = [];
      for (let s = limiter.acquire(); s; s = limiter.acquire()) slots.push(s);
      now += 5;
      for (const s of slots) s.success();
    }
    expect(limiter.limit).toBeGreaterThan(20);
  });

  it('ignored outcomes release without moving the limit', () => {
    let now = 0;
    const limiter = new ConcurrencyLimiter(new Gradient2Limit({ initialLimit: 4 }), () => now);
    const slots = [limiter.acquire(), limiter.acquire(), limiter.acquire(), limiter.acquire()];
    now += 60_000; // a long upload
    for (const s of slots) s!.ignore();
    expect(limiter.limit).toBe(4);
    expect(limiter.algorithm.longTermRtt).toBe(0);
  });

  it('lets a request over the limit wait for a freed slot, oldest first, within the backlog timeout', async () => {
    vi.useFakeTimers();
    try {
      const limiter = new ConcurrencyLimiter(
        new Gradient2Limit({ initialLimit: 1, minLimit: 1, maxLimit: 1 }),
        () => 0,
        { size: 2, timeoutMs: 50 },
      );
      const held = limiter.acquire()!;
      const first = limiter.waitForSlot();
      const second = limiter.waitForSlot();
      expect(limiter.waiting).toBe(2);
      expect(await limiter.waitForSlot()).toBeUndefined(); // backlog full: shed at once
      expect(limiter.acquire()).toBeUndefined(); // no overtaking the waiters
      held.ignore();
      const granted = await first;
      expect(granted).toBeDefined();
      expect(limiter.inflight).toBe(1);
      expect(limiter.waiting).toBe(1);
      await vi.advanceTimersByTimeAsync(50);
      expect(await second).toBeUndefined(); // waited too long: shed
      expect(limiter.waiting).toBe(0);
      granted!.ignore();
      expect(limiter.inflight).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sheds at once at the limit when no backlog is configured', async () => {
    const limiter = new ConcurrencyLimiter(new Gradient2Limit({ initialLimit: 1, minLimit: 1, maxLimit: 1 }));
    limiter.acquire();
    expect(await limiter.waitForSlot()).toBeUndefined();
    expect(limiter.waiting).toBe(0);
  });
});
