import { describe, expect, it } from 'vitest';
import type { TitleDetail } from '@marquee/contracts/api';
import { countdownAt, nextEpisodeOf, nextPromptLead } from '../src/player/episodes.js';
import { episodeCode, playChoice, progressOf, withProgress, type Viewing } from '../src/app/viewing-rules.js';

// Issue 22 items 1, 2 and 5: what the Play button says, the progress bars, the next-episode countdown.

const series: TitleDetail = {
  titleId: 'series',
  name: 'Tidewater',
  type: 'series',
  seasons: [
    {
      season: 1,
      episodes: [
        { titleId: 'e1', name: 'The Keeper', season: 1, number: 1, durationSeconds: 12 },
        { titleId: 'e2', name: 'Low Tide', season: 1, number: 2, durationSeconds: 12 },
        { titleId: 'e3', name: 'Fog', season: 1, number: 3, durationSeconds: 12 },
      ],
    },
    { season: 2, episodes: [{ titleId: 'e4', name: 'Spring', season: 2, number: 1, durationSeconds: 12 }] },
  ],
};

const viewing = (titleId: string, position: number, duration = 12, completed = false): Viewing => ({
  titleId,
  position,
  duration,
  completed,
});

describe('the Play button of a series', () => {
  it('says Play S1:E1 for a series never watched', () => {
    expect(playChoice(series, [])).toEqual({ label: 'Play S1:E1', episodeId: 'e1' });
  });

  it('says Resume S1:E3 when the most recent episode is unfinished', () => {
    const history = [viewing('e3', 7), viewing('e2', 12, 12, true)];
    expect(playChoice(series, history)).toEqual({ label: 'Resume S1:E3', episodeId: 'e3' });
  });

  it('says Play with the next episode when the most recent one was finished, across seasons', () => {
    expect(playChoice(series, [viewing('e2', 12, 12, true)]).label).toBe('Play S1:E3');
    expect(playChoice(series, [viewing('e3', 12, 12, true)]).label).toBe('Play S2:E1');
  });

  it('says Resume or Play for a film', () => {
    const film: TitleDetail = { titleId: 'f', name: 'Heat', type: 'movie' };
    expect(playChoice(film, [viewing('f', 7)]).label).toBe('Resume');
    expect(playChoice(film, [viewing('f', 11.8)]).label).toBe('Play');
    expect(playChoice(film, []).label).toBe('Play');
  });
});

describe('progress bars', () => {
  it('show the share watched, and nothing for a finished or unknown-length viewing', () => {
    expect(progressOf(viewing('a', 6))).toBe(0.5);
    expect(progressOf(viewing('a', 11.8))).toBe(0);
    expect(progressOf(viewing('a', 6, 12, true))).toBe(0);
    expect(progressOf({ titleId: 'a', position: 6, duration: null, completed: false })).toBe(0);
    expect(progressOf(undefined)).toBe(0);
  });

  it('fill in row items from the history, keeping a progress the row already has', () => {
    const items = withProgress(
      [{ titleId: 'a' }, { titleId: 'b', progress: 0.9 }, { titleId: 'c' }],
      [viewing('a', 3), viewing('b', 1)],
    );
    expect(items.map((i) => i.progress)).toEqual([0.25, 0.9, 0]);
  });
});

describe('the next episode', () => {
  it('is the following one in catalog order, across seasons, and none after the last', () => {
    expect(nextEpisodeOf(series, 'e3')).toEqual({ titleId: 'e4', name: 'Spring', season: 2, number: 1 });
    expect(nextEpisodeOf(series, 'e4')).toBeNull();
    expect(episodeCode(2, 1)).toBe('S2:E1');
  });

  it('is offered with a countdown a few seconds before the end, never more than a quarter in', () => {
    expect(nextPromptLead(2400)).toBe(10);
    expect(nextPromptLead(12)).toBe(3);
    expect(countdownAt(2380, 2400)).toBeNull();
    expect(countdownAt(2391.2, 2400)).toBe(9);
    expect(countdownAt(8.5, 12)).toBeNull();
    expect(countdownAt(9.5, 12)).toBe(3);
    expect(countdownAt(12, 12)).toBe(0);
    expect(countdownAt(5, 0)).toBeNull();
  });
});
