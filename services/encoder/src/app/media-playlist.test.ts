import { describe, expect, it } from 'vitest';
import { averageBitrate, peakBitrate } from './media-playlist.js';

describe('peakBitrate', () => {
  it('is the largest rate over runs of 0.5 to 1.5 target durations', () => {
    const segments = [
      { durationSeconds: 4, bytes: 500_000 },
      { durationSeconds: 4, bytes: 1_000_000 },
      { durationSeconds: 4, bytes: 500_000 },
    ];
    expect(peakBitrate(segments, 4)).toBe(2_000_000);
    expect(averageBitrate(segments)).toBe(Math.ceil((2_000_000 * 8) / 12));
  });

  it('is not inflated by a short last segment', () => {
    const segments = [
      { durationSeconds: 4, bytes: 500_000 },
      { durationSeconds: 0.2, bytes: 100_000 }, // 4 Mbit/s on its own
    ];
    expect(peakBitrate(segments, 4)).toBe(Math.ceil((600_000 * 8) / 4.2));
  });

  it('falls back to the average for a stream shorter than half a target duration', () => {
    expect(peakBitrate([{ durationSeconds: 1, bytes: 1000 }], 4)).toBe(8000);
  });
});
