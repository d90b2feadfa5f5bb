import { describe, expect, it } from 'vitest';
import { isFinishedViewing } from './viewing.js';

describe('isFinishedViewing', () => {
  it('lets a 12 s clip paused at 7 s resume (the demo titles never resumed with a flat 30 s tail)', () => {
    expect(isFinishedViewing(7, 12)).toBe(false);
    expect(isFinishedViewing(11.5, 12)).toBe(true);
  });
  it('counts a film in its last 30 s as finished, and not a minute before the end', () => {
    expect(isFinishedViewing(7200 - 20, 7200)).toBe(true);
    expect(isFinishedViewing(7200 - 60, 7200)).toBe(false);
  });
  it('never calls a viewing of unknown length finished', () => {
    expect(isFinishedViewing(100, null)).toBe(false);
    expect(isFinishedViewing(100, 0)).toBe(false);
  });
});
