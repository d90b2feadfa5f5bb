import { describe, expect, it } from 'vitest';
import { TelemetryCollector } from '../src/player/telemetry.js';

describe('player telemetry collector', () => {
  it('measures startup, stalls, watch time and bitrate, and starts again after each batch', () => {
    const c = new TelemetryCollector(1_000);
    c.waiting(1_100, 0, false); // before the first frame: part of the startup, not a stall
    c.playing(1_640);
    c.progressed(0, 2_000_000);
    c.progressed(1, 2_000_000);
    c.progressed(2, 1_000_000);
    c.waiting(3_000, 2, false);
    c.playing(3_450);
    c.progressed(2.5, 1_000_000);
    c.progressed(40, 1_000_000); // a seek-sized jump is not watch time
    c.switched(2, 1_000_000, 480);
    c.failed('networkError', false, 'fragLoadTimeOut');
    c.droppedFrames(7);
    c.edge = 'edge-2';
    const first = c.take(4_000);
    expect(first).toEqual({
      seq: 0,
      startupMs: 640,
      watchMs: 2_500,
      bitrate: 1_400_000,
      position: 40,
      stalls: [{ position: 2, durationMs: 450 }],
      switches: [{ position: 2, bitrate: 1_000_000, height: 480 }],
      droppedFrames: 7,
      errors: [{ kind: 'networkError', fatal: false, detail: 'fragLoadTimeOut' }],
      edge: 'edge-2',
    });
    expect(c.hasNews).toBe(false);
    c.waiting(5_000, 41, true); // a seek's wait
    c.playing(5_300);
    c.droppedFrames(9);
    c.interrupted();
    c.progressed(41, undefined);
    c.progressed(42, undefined);
    const second = c.take(6_000);
    expect(second).toMatchObject({ seq: 1, watchMs: 1_000, stalls: [], droppedFrames: 2 });
    expect(second.startupMs).toBeUndefined();
    expect(second.bitrate).toBeUndefined();
  });

  it('reports a stall still going on and keeps counting it, and keeps batches within the server’s bounds', () => {
    const c = new TelemetryCollector(0);
    c.playing(100);
    c.waiting(1_000, 5, false);
    expect(c.take(3_000).stalls).toEqual([{ position: 5, durationMs: 2_000 }]);
    c.playing(3_500);
    expect(c.take(4_000).stalls).toEqual([{ position: 5, durationMs: 500 }]);
    for (let i = 0; i < 150; i++) c.failed('bad kind with spaces!', true, 'x'.repeat(500));
    const batch = c.take(5_000);
    expect(batch.errors).toHaveLength(100);
    expect(batch.errors[0]).toEqual({ kind: 'bad_kind_with_spaces_', fatal: true, detail: 'x'.repeat(200) });
  });
});
