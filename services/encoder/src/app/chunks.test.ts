import { describe, expect, it } from 'vitest';
import { chunkLabel, chunkLength, planChunks } from './chunks.js';

describe('planChunks', () => {
  it('cuts at whole segments, the last chunk running to the end', () => {
    expect(planChunks(12, 4, 4)).toEqual([
      { index: 0, startSeconds: 0, durationSeconds: 4, firstSegment: 0 },
      { index: 1, startSeconds: 4, durationSeconds: 4, firstSegment: 1 },
      { index: 2, startSeconds: 8, firstSegment: 2 },
    ]);
    // 30 s rounds up to 32 s (eight 4 s segments), so every chunk starts on a segment boundary.
    expect(chunkLength(30, 4)).toBe(32);
    expect(planChunks(120, 30, 4).map((c) => [c.startSeconds, c.firstSegment])).toEqual([
      [0, 0],
      [32, 8],
      [64, 16],
      [96, 24],
    ]);
    expect(chunkLabel(planChunks(120, 30, 4)[3]!, 120.04)).toBe('chunk 3 (96–120.04 s)');
  });

  it('keeps a title in one piece when chunking is off or it fits one chunk', () => {
    expect(planChunks(600, 0, 4)).toEqual([]);
    expect(planChunks(32, 30, 4)).toEqual([]);
    expect(planChunks(32.5, 30, 4)).toHaveLength(2);
  });
});
