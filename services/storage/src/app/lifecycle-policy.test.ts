import { describe, expect, it } from 'vitest';
import { decideLifecycle, type LifecycleCandidate } from './lifecycle-policy.js';

const now = new Date('2026-11-21T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
const row = (over: Partial<LifecycleCandidate>): LifecycleCandidate => ({
  upload_id: 'u',
  kind: 'source',
  state: 'ready',
  created_at: hoursAgo(1000),
  settled_at: hoursAgo(1),
  ...over,
});
const policy = { sourceRetentionDays: 30, failedRetentionHours: 24 };

describe('decideLifecycle', () => {
  it('deletes sources of assets ready longer than the retention', () => {
    expect(decideLifecycle([row({ settled_at: hoursAgo(31 * 24) })], now, policy)).toMatchObject([
      { action: 'delete-source' },
    ]);
    expect(decideLifecycle([row({ settled_at: hoursAgo(29 * 24) })], now, policy)).toEqual([]);
  });

  it('abandons stalled uploads and deletes failed sources after the failed retention', () => {
    expect(
      decideLifecycle([row({ state: 'receiving', created_at: hoursAgo(25) })], now, policy),
    ).toMatchObject([{ action: 'abandon-upload' }]);
    expect(decideLifecycle([row({ state: 'failed', settled_at: hoursAgo(25) })], now, policy)).toMatchObject([
      { action: 'delete-source' },
    ]);
    expect(decideLifecycle([row({ state: 'failed', settled_at: hoursAgo(2) })], now, policy)).toEqual([]);
  });

  it('never touches sources being encoded, sidecars, or anything when retention is 0', () => {
    expect(decideLifecycle([row({ state: 'stored', created_at: hoursAgo(999) })], now, policy)).toEqual([]);
    expect(decideLifecycle([row({ kind: 'subtitle', settled_at: hoursAgo(9999) })], now, policy)).toEqual([]);
    expect(
      decideLifecycle(
        [row({ settled_at: hoursAgo(9999) }), row({ state: 'failed', settled_at: hoursAgo(999) })],
        now,
        {
          sourceRetentionDays: 0,
          failedRetentionHours: 0,
        },
      ),
    ).toEqual([]);
  });
});
