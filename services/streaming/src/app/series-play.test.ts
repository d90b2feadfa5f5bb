import { describe, expect, it } from 'vitest';
import { episodeToPlay } from './series-play.js';

const episodes = ['s1e1', 's1e2', 's1e3', 's2e1'].map((titleId) => ({ titleId }));

describe('episodeToPlay', () => {
  it('starts a series never watched at its first episode', () => {
    expect(episodeToPlay(episodes, [])).toBe('s1e1');
    expect(episodeToPlay(episodes, [{ titleId: 'another-film', completed: false }])).toBe('s1e1');
  });
  it('resumes the most recently watched episode when it is unfinished', () => {
    expect(
      episodeToPlay(episodes, [
        { titleId: 's1e3', completed: false },
        { titleId: 's1e1', completed: true },
      ]),
    ).toBe('s1e3');
  });
  it('moves on to the next episode, across seasons, once the last one watched is finished', () => {
    expect(episodeToPlay(episodes, [{ titleId: 's1e2', completed: true }])).toBe('s1e3');
    expect(episodeToPlay(episodes, [{ titleId: 's1e3', completed: true }])).toBe('s2e1');
  });
  it('starts over after the final episode, and has nothing to play without episodes', () => {
    expect(episodeToPlay(episodes, [{ titleId: 's2e1', completed: true }])).toBe('s1e1');
    expect(episodeToPlay([], [])).toBeUndefined();
  });
});
