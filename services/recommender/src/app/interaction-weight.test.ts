import { describe, expect, it } from 'vitest';
import { completionOf, interactionWeight, isFinished } from './interaction-weight.js';

const none = { played: false, completion: 0, rating: null, inList: false } as const;

describe('interactionWeight', () => {
  it('grows with completion and counts a finished title fully', () => {
    expect(interactionWeight({ ...none, played: true })).toBeCloseTo(0.2);
    expect(interactionWeight({ ...none, played: true, completion: 0.5 })).toBeCloseTo(0.6);
    expect(interactionWeight({ ...none, played: true, completion: 0.95 })).toBe(1);
    expect(isFinished({ completion: 0.9 })).toBe(true);
    expect(isFinished({ completion: 0.89 })).toBe(false);
  });

  it('adds explicit signals and caps the total', () => {
    expect(interactionWeight({ ...none, inList: true })).toBeCloseTo(0.3);
    expect(interactionWeight({ ...none, rating: 'up' })).toBe(1);
    expect(interactionWeight({ played: true, completion: 1, rating: 'up', inList: true })).toBe(2);
  });

  it('gives a thumbs-down title no weight at all, however much was watched', () => {
    expect(interactionWeight({ played: true, completion: 1, rating: 'down', inList: true })).toBe(0);
  });

  it('is zero with no signal', () => {
    expect(interactionWeight(none)).toBe(0);
  });
});

describe('completionOf', () => {
  it('is position / duration, clamped, and unknown without a duration', () => {
    expect(completionOf(30, 120)).toBe(0.25);
    expect(completionOf(130, 120)).toBe(1);
    expect(completionOf(30, undefined)).toBeUndefined();
    expect(completionOf(30, 0)).toBeUndefined();
  });
});
