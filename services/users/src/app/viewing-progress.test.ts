import { describe, expect, it } from 'vitest';
import { applyPlayback, type PlaybackObservation } from './viewing-progress.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 21, 20, 0, seconds)).toISOString();
const event = (
  type: PlaybackObservation['type'],
  second: number,
  position: number,
  duration = 6000,
): PlaybackObservation => ({
  type,
  time: at(second),
  position,
  duration,
});

describe('applyPlayback', () => {
  it('starts, advances and keeps the first start time', () => {
    const started = applyPlayback(undefined, event('playback.started', 0, 0))!;
    expect(started).toEqual({
      position: 0,
      duration: 6000,
      completed: false,
      startedAt: at(0),
      eventTime: at(0),
    });
    const later = applyPlayback(started, event('playback.heartbeat', 10, 600))!;
    expect(later).toMatchObject({ position: 600, startedAt: at(0), eventTime: at(10), completed: false });
  });

  it('ignores a replayed or older event', () => {
    const current = applyPlayback(undefined, event('playback.heartbeat', 10, 600))!;
    expect(applyPlayback(current, event('playback.heartbeat', 10, 600))).toBeUndefined();
    expect(applyPlayback(current, event('playback.heartbeat', 5, 300))).toBeUndefined();
  });

  it('moves back when a newer event says so (the viewer rewound)', () => {
    const current = applyPlayback(undefined, event('playback.heartbeat', 10, 600))!;
    expect(applyPlayback(current, event('playback.stopped', 20, 120))?.position).toBe(120);
  });

  it('marks a viewing finished near the end and starts over on the next start', () => {
    const done = applyPlayback(undefined, event('playback.stopped', 10, 5990))!;
    expect(done.completed).toBe(true);
    const again = applyPlayback(done, event('playback.started', 20, 0))!;
    expect(again).toMatchObject({ completed: false, position: 0, startedAt: at(20) });
    // The tail is the last 5 %, at most 30 s: a long title is finished only in its last 30 s ...
    expect(applyPlayback(undefined, event('playback.heartbeat', 1, 5975))?.completed).toBe(true);
    expect(applyPlayback(undefined, event('playback.heartbeat', 1, 5701))?.completed).toBe(false);
    // ... and a 12 s clip paused at 7 s is not finished (a flat 30 s tail once swallowed every demo title).
    const clip = (position: number) => applyPlayback(undefined, event('playback.stopped', 1, position, 12));
    expect(clip(7)?.completed).toBe(false);
    expect(clip(11.6)?.completed).toBe(true);
  });

  it('keeps a known duration when an event omits it', () => {
    const current = applyPlayback(undefined, event('playback.started', 0, 0, 1200))!;
    const next = applyPlayback(current, { type: 'playback.heartbeat', time: at(5), position: 1190 })!;
    expect(next).toMatchObject({ duration: 1200, completed: true });
    expect(applyPlayback(undefined, { type: 'playback.heartbeat', time: at(5), position: 10 })).toMatchObject(
      {
        duration: null,
        completed: false,
      },
    );
  });
});
