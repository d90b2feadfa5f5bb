import { describe, expect, it } from 'vitest';
import { PlaybackBuffer } from './playback-buffer.js';

describe('the simulated playback buffer', () => {
  it('counts the wait for the first segment as starting, not as a stall', () => {
    const b = new PlaybackBuffer(0, 0);
    b.append(800, 4);
    expect(b.stalls).toBe(0);
    expect(b.stallMs).toBe(0);
    expect(b.ahead(1800)).toBeCloseTo(3);
    expect(b.playedMs).toBeCloseTo(1000);
  });

  it('stalls when the playhead reaches the end of the buffer, until the next segment arrives', () => {
    const b = new PlaybackBuffer(0, 10);
    b.append(0, 4); // 4 s buffered from media time 10
    b.append(5000, 4); // ran dry at 4000 ms: stalled 1 s
    expect(b.stalls).toBe(1);
    expect(b.stallMs).toBeCloseTo(1000);
    expect(b.playedMs).toBeCloseTo(4000);
    expect(b.position(5000)).toBeCloseTo(14);
    b.append(6000, 4); // 3 s still ahead: no stall
    expect(b.stalls).toBe(1);
  });

  it('keeps seeking apart from stalls, and closes a stall open when the session ends', () => {
    const b = new PlaybackBuffer(0, 0);
    b.append(0, 4);
    b.seek(1000, 30);
    b.append(1500, 4);
    expect(b.seekWaitMs).toBeCloseTo(500);
    expect(b.stalls).toBe(0);
    expect(b.position(2500)).toBeCloseTo(31);
    b.finish(7500); // dry at 5500 ms, viewer left at 7500 ms
    expect(b.stalls).toBe(1);
    expect(b.stallMs).toBeCloseTo(2000);
  });
});
