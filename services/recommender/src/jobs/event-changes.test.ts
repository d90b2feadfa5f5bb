import type { CloudEvent } from '@marquee/platform';
import { describe, expect, it } from 'vitest';
import { changeFromEvent, UnreadableEventError } from './event-changes.js';

const envelope = (type: string, data: unknown): CloudEvent => ({
  specversion: '1.0',
  id: 'evt-1',
  source: 'test',
  type,
  time: '2026-11-21T10:00:00Z',
  datacontenttype: 'application/json',
  data,
});

const playback = { sessionId: 's', accountId: 'a', profileId: 'p', titleId: 't' };

describe('changeFromEvent', () => {
  it('reads playback progress as completion, and a start as a trending vote', () => {
    expect(
      changeFromEvent(envelope('playback.started', { ...playback, position: 0, duration: 100 })),
    ).toEqual({
      kind: 'playback',
      profileId: 'p',
      titleId: 't',
      completion: 0,
      started: true,
      at: '2026-11-21T10:00:00.000Z',
    });
    const heartbeat = changeFromEvent(envelope('playback.heartbeat', { ...playback, position: 45 }));
    expect(heartbeat).toMatchObject({ completion: undefined, started: false });
    expect(
      changeFromEvent(envelope('playback.stopped', { ...playback, position: 95, duration: 100 })),
    ).toMatchObject({
      completion: 0.95,
    });
  });

  it('versions ratings and list changes by time and event id', () => {
    expect(changeFromEvent(envelope('title.rated', { ...playback, rating: null }))).toEqual({
      kind: 'rating',
      profileId: 'p',
      titleId: 't',
      rating: null,
      at: '2026-11-21T10:00:00.000Z',
      version: '2026-11-21T10:00:00.000Z|evt-1',
    });
    expect(changeFromEvent(envelope('mylist.changed', { ...playback, inList: true }))).toMatchObject({
      kind: 'list',
      inList: true,
    });
  });

  it('takes optional poster and series fields from a title publication', () => {
    const data = { titleId: 't', name: 'N', genres: ['Drama'], maturity: 'PG', year: 2020 };
    expect(changeFromEvent(envelope('title.published', data))).toMatchObject({
      posterUrl: null,
      seriesId: null,
    });
    expect(
      changeFromEvent(envelope('title.published', { ...data, posterUrl: '/p.jpg', seriesId: 's1' })),
    ).toMatchObject({ posterUrl: '/p.jpg', seriesId: 's1' });
  });

  it('reads a profile creation', () => {
    expect(
      changeFromEvent(
        envelope('profile.created', { accountId: 'a', profileId: 'p', kids: true, maxMaturity: 'PG' }),
      ),
    ).toMatchObject({ kind: 'profile', kids: true, maxMaturity: 'PG' });
  });

  it('refuses data that does not match the catalogue, naming the field', () => {
    expect(() => changeFromEvent(envelope('title.rated', { ...playback, rating: 'meh' }))).toThrow(
      UnreadableEventError,
    );
    expect(() => changeFromEvent(envelope('title.published', { titleId: 't' }))).toThrow(
      /title\.published evt-1/,
    );
    expect(() => changeFromEvent(envelope('media.uploaded', {}))).toThrow(
      /not a type the recommender consumes/,
    );
  });
});
