import { describe, expect, it } from 'vitest';
import {
  afterHandlerFailure,
  deliveryLimits,
  retryDelayMs,
  unacknowledgedReason,
} from './delivery-policy.js';
import { consumerFilter, serverAtLeast } from './nats-subjects.js';

const handler = async () => undefined;

describe('delivery policy', () => {
  it('retries with a short growing backoff until the last delivery, then dead-letters with the error', () => {
    expect([1, 2, 3, 10].map(retryDelayMs)).toEqual([50, 100, 200, 2_000]);
    expect(afterHandlerFailure(1, 3, 'boom')).toEqual({ kind: 'retry', delayMs: 50 });
    expect(afterHandlerFailure(3, 3, 'boom')).toEqual({
      kind: 'dead-letter',
      reason: 'handler failed on delivery 3 of 3: boom',
    });
    expect(unacknowledgedReason(2, 300, 'late')).toBe(
      'not acknowledged within 300 ms after 2 deliveries (handler hung or its consumer died); last handler error: late',
    );
  });

  it('defaults and validates subscription limits and group names', () => {
    expect(deliveryLimits({ group: 'encoder', types: ['media.uploaded'], handler })).toEqual({
      ackTimeoutMs: 30_000,
      maxDeliveries: 5,
      concurrency: 1,
    });
    expect(() => deliveryLimits({ group: 'a.b', types: ['x'], handler })).toThrow(/consumer group "a.b"/);
    expect(() => deliveryLimits({ group: 'g', types: [], handler })).toThrow(/no types/);
    expect(() => deliveryLimits({ group: 'g', types: ['x'], handler, maxDeliveries: 0 })).toThrow(
      /maxDeliveries/,
    );
  });
});

describe('NATS consumer filters', () => {
  it('uses one filter subject, several from nats-server 2.10, else the whole prefix filtered in the client', () => {
    expect(consumerFilter('mq', ['a.b'], '2.9.10')).toEqual({
      filter_subject: 'mq.a.b',
      filterInClient: false,
    });
    expect(consumerFilter('mq', ['a', 'b'], '2.10.0')).toEqual({
      filter_subjects: ['mq.a', 'mq.b'],
      filterInClient: false,
    });
    expect(consumerFilter('mq', ['a', 'b'], '2.9.10')).toEqual({
      filter_subject: 'mq.>',
      filterInClient: true,
    });
    expect(serverAtLeast('2.11.1', 2, 11)).toBe(true);
    expect(serverAtLeast('3.0.0', 2, 11)).toBe(true);
    expect(serverAtLeast(undefined, 2, 10)).toBe(false);
  });
});
