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
    // 120 s is four chunks; its 30 segments are spread 8, 8, 7, 7 (not 8, 8, 8, 6): on two workers
    // each gets 60 s, not 64 and 56.
    expect(planChunks(120.04, 30, 4).map((c) => [c.startSeconds, c.durationSeconds, c.firstSegment])).toEqual(
      [
        [0, 32, 0],
        [32, 32, 8],
        [64, 28, 16],
        [92, undefined, 23],
      ],
    );
    expect(chunkLabel(planChunks(120.04, 30, 4)[3]!, 120.04)).toBe('chunk 3 (92–120.04 s)');
  });

  it('keeps a title in one piece when chunking is off or it fits one chunk', () => {
    expect(planChunks(600, 0, 4)).toEqual([]);
    expect(planChunks(32, 30, 4)).toEqual([]);
    expect(planChunks(32.5, 30, 4)).toHaveLength(2);
  });

  it('never makes a chunk longer than the setting rounded up, and covers every segment once', () => {
    for (let duration = 33; duration < 400; duration += 0.7) {
      const chunks = planChunks(duration, 30, 4);
      expect(chunks.length).toBe(Math.ceil(duration / 32));
      chunks.forEach((c, i) => {
        const end = c.durationSeconds === undefined ? duration : c.startSeconds + c.durationSeconds;
        expect(end - c.startSeconds).toBeLessThanOrEqual(32);
        expect(c.firstSegment * 4).toBe(c.startSeconds);
        if (i > 0) expect(c.startSeconds).toBe(chunks[i - 1]!.startSeconds + chunks[i - 1]!.durationSeconds!);
      });
      const lengths = chunks.slice(0, -1).map((c) => c.durationSeconds!);
      expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(4);
    }
  });
});
