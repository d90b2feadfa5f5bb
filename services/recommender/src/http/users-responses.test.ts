import { describe, expect, it } from 'vitest';
import { readContinueWatching, readMyList, readProfile } from './users-responses.js';

describe('reading the users service’s answers', () => {
  it('reads a profile and refuses one without a recognisable maturity ceiling', () => {
    expect(readProfile({ profileId: 'p', name: 'Ada', kids: false, maxMaturity: 'R', extra: 1 })).toEqual({
      name: 'Ada',
      kids: false,
      maxMaturity: 'R',
    });
    expect(readProfile({ name: 'Kid', kids: true, maxMaturity: 'PG' })?.kids).toBe(true);
    expect(readProfile({ name: 'x', maxMaturity: 'X-rated' })).toBeUndefined();
    expect(readProfile(null)).toBeUndefined();
  });

  it('reads continue watching as an array or in an envelope, skipping entries without a title', () => {
    const entries = [
      { titleId: 't1', position: 30, duration: 120, updatedAt: 'x' },
      { titleId: 't2', resumeAt: 5 },
      { position: 3 },
      { titleId: 't3', position: -1, duration: 'long' },
    ];
    const expected = [
      { titleId: 't1', position: 30, duration: 120 },
      { titleId: 't2', position: 5 },
      { titleId: 't3', position: 0 },
    ];
    expect(readContinueWatching({ items: entries })).toEqual(expected);
    expect(readContinueWatching(entries)).toEqual(expected);
    expect(readContinueWatching('nonsense')).toEqual([]);
  });

  it('reads my list as entries or plain ids', () => {
    expect(readMyList({ items: [{ titleId: 'a', addedAt: 'x' }, { nope: 1 }] })).toEqual(['a']);
    expect(readMyList({ titles: ['b', 'c'] })).toEqual(['b', 'c']);
  });
});
