import { describe, expect, it } from 'vitest';
import { decideRetrain, type RetrainPolicy } from './retrain-policy.js';

const policy: RetrainPolicy = { intervalMs: 60_000, afterEvents: 10, minGapMs: 5_000, busyFactor: 10 };
const base = { pending: 0, catalogChanged: false, lastStartedMs: 0, lastDurationMs: 100, nowMs: 100_000 };

describe('decideRetrain', () => {
  it('trains at once when nothing was ever trained', () => {
    expect(decideRetrain({ ...base, lastStartedMs: undefined }, policy, 'event')).toEqual({ retrain: true });
  });

  it('does nothing when nothing arrived, even on schedule', () => {
    expect(decideRetrain(base, policy, 'schedule')).toEqual({ retrain: false });
  });

  it('retrains after enough events, not before', () => {
    expect(decideRetrain({ ...base, pending: 9 }, policy, 'event')).toEqual({ retrain: false });
    expect(decideRetrain({ ...base, pending: 10 }, policy, 'event')).toEqual({ retrain: true });
  });

  it('retrains on schedule when anything arrived and the interval passed', () => {
    expect(decideRetrain({ ...base, pending: 1, lastStartedMs: 50_000 }, policy, 'schedule')).toEqual({
      retrain: false,
    });
    expect(decideRetrain({ ...base, pending: 1, lastStartedMs: 40_000 }, policy, 'schedule')).toEqual({
      retrain: true,
    });
  });

  it('waits busyFactor times the last training’s duration when that is longer than the minimum gap', () => {
    const slow = { ...base, pending: 10, lastStartedMs: 90_000, lastDurationMs: 2_000 };
    expect(decideRetrain(slow, policy, 'event')).toEqual({ retrain: false, retryInMs: 10_000 });
    expect(decideRetrain({ ...slow, nowMs: 110_000 }, policy, 'event')).toEqual({ retrain: true });
  });

  it('retrains for a new title, but respects the minimum gap and says when to come back', () => {
    expect(decideRetrain({ ...base, catalogChanged: true, lastStartedMs: 98_000 }, policy, 'event')).toEqual({
      retrain: false,
      retryInMs: 3_000,
    });
    expect(decideRetrain({ ...base, catalogChanged: true, lastStartedMs: 90_000 }, policy, 'event')).toEqual({
      retrain: true,
    });
  });
});
