import { describe, expect, it } from 'vitest';
import { rowTitleIds, withPosters } from './row-posters.js';

const home = () => ({
  rows: [
    { id: 'continue-watching', title: 'Continue Watching', items: [{ titleId: 't1', progress: 0.5 }] },
    {
      id: 'trending',
      title: 'Trending now',
      items: [{ titleId: 't2' }, { titleId: 't3', posterUrl: 'old' }],
    },
    { id: 'genre:drama', title: 'Drama', items: [{ titleId: 't1' }] },
  ],
});

describe('home row posters', () => {
  it('lists every title the rows show once, in first-seen order', () => {
    expect(rowTitleIds(home())).toEqual(['t1', 't2', 't3']);
  });

  it('sets the poster of every item of a known title, null included, and leaves the others alone', () => {
    const posters = new Map([
      ['t1', 'https://edge/t/tok/a/a1/poster.jpg'],
      ['t2', null],
    ]);
    expect(withPosters(home(), posters)).toEqual({
      rows: [
        {
          id: 'continue-watching',
          title: 'Continue Watching',
          items: [{ titleId: 't1', progress: 0.5, posterUrl: 'https://edge/t/tok/a/a1/poster.jpg' }],
        },
        {
          id: 'trending',
          title: 'Trending now',
          items: [
            { titleId: 't2', posterUrl: null },
            { titleId: 't3', posterUrl: 'old' },
          ],
        },
        {
          id: 'genre:drama',
          title: 'Drama',
          items: [{ titleId: 't1', posterUrl: 'https://edge/t/tok/a/a1/poster.jpg' }],
        },
      ],
    });
  });

  it('passes answers of any other shape through untouched', () => {
    const posters = new Map([['t1', 'u']]);
    for (const body of [null, 'text', 42, {}, { rows: 'x' }, { rows: [null, { items: [null, 7] }] }]) {
      expect(rowTitleIds(body)).toEqual([]);
      expect(withPosters(structuredClone(body), posters)).toEqual(body);
    }
  });
});
