import { describe, expect, it } from 'vitest';
import { averageBitrate, peakBitrate, readMediaPlaylist } from './media-playlist.js';

describe('readMediaPlaylist', () => {
  it('reads target duration, init segment and segments', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-MAP:URI="init_0.mp4"',
      '#EXTINF:4.000000,',
      'seg_00000.m4s',
      '#EXTINF:1.500000,',
      'seg_00001.m4s',
      '#EXT-X-ENDLIST',
    ].join('\n');
    expect(readMediaPlaylist(text)).toEqual({
      targetDurationSeconds: 4,
      initUri: 'init_0.mp4',
      segments: [
        { uri: 'seg_00000.m4s', durationSeconds: 4 },
        { uri: 'seg_00001.m4s', durationSeconds: 1.5 },
      ],
    });
  });
});

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
