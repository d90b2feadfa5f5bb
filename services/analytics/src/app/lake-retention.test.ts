import { describe, expect, it } from 'vitest';
import { expiredPartitions } from './lake-retention.js';

const now = new Date('2026-12-06T12:00:00Z');

describe('expiredPartitions', () => {
  it('names the partitions whose whole day is older than the retention', () => {
    const dates = ['2026-11-05', '2026-11-06', '2026-11-07', '2026-12-06'];
    // 30 days before 2026-12-06T12:00 is 2026-11-06T12:00: that day is kept whole.
    expect(expiredPartitions(dates, now, 30)).toEqual(['2026-11-05']);
  });

  it('keeps everything with retention 0 and removes every past day with retention 1', () => {
    expect(expiredPartitions(['2000-01-01'], now, 0)).toEqual([]);
    expect(expiredPartitions(['2026-12-04', '2026-12-05', '2026-12-06'], now, 1)).toEqual(['2026-12-04']);
  });
});
