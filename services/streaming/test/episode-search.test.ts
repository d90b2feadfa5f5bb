import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendAvailable } from '@marquee/platform/testing';
import { admin, encodeAsset, startStreaming, type Backend, type Harness } from './harness.js';

// Issue 22 item 5: search finds episodes by name (it searched movies and series only).
const backends: Backend[] = ['embedded'];
if ((await backendAvailable('postgres')) && (await backendAvailable('redis'))) backends.push('postgres');

const viewer = { accountId: 'acc-episodes', role: 'viewer' as const, plan: 'premium' as const };

interface SearchPage {
  items: { name: string }[];
  nextCursor: string | null;
  episodes?: {
    titleId: string;
    name: string;
    seriesId: string;
    seriesName: string;
    season: number;
    number: number;
  }[];
}

describe.each(backends)('searching episodes by name on %s', (backend) => {
  let h: Harness;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startStreaming(backend);
    const series = async (name: string, maturity: string) =>
      (
        await h.as(admin)({
          method: 'POST',
          url: '/api/admin/titles',
          payload: { type: 'series', name, year: 2020, maturity, genres: ['drama'] },
        })
      ).json<{ titleId: string }>().titleId;
    const episode = async (seriesId: string, season: number, number: number, name: string) =>
      (
        await h.as(admin)({
          method: 'POST',
          url: `/api/admin/titles/${seriesId}/episodes`,
          payload: { season, number, name },
        })
      ).json<{ titleId: string }>().titleId;
    ids.tidewater = await series('Tidewater', 'PG');
    ids.lowTide = await episode(ids.tidewater, 1, 2, 'Low Tide');
    ids.keeper = await episode(ids.tidewater, 1, 1, 'The Keeper');
    ids.unencoded = await episode(ids.tidewater, 2, 1, 'Tide Tables');
    ids.night = await series('Night Shift', 'R');
    ids.nightTide = await episode(ids.night, 1, 1, 'Night Tide');
    for (const id of [ids.lowTide, ids.keeper, ids.nightTide]) await encodeAsset(h, id);
    h.users.profiles.set('kid-episodes', { accountId: viewer.accountId, kids: true, maxMaturity: 'PG' });
    h.users.profiles.set('adult-episodes', {
      accountId: viewer.accountId,
      kids: false,
      maxMaturity: 'NC-17',
    });
  });
  afterAll(() => h?.close());

  const search = async (query: string) =>
    (await h.as(viewer)({ method: 'GET', url: `/api/titles?${query}` })).json<SearchPage>();

  it('finds a published episode by its name, with its series, season and number', async () => {
    const page = await search('q=low%20tide');
    expect(page.episodes).toEqual([
      {
        titleId: ids.lowTide,
        name: 'Low Tide',
        seriesId: ids.tidewater,
        seriesName: 'Tidewater',
        season: 1,
        number: 2,
        posterUrl: expect.stringContaining('poster.jpg'),
      },
    ]);
    // Case and word order do not matter; every word must be in the name.
    expect((await search('q=TIDE%20low')).episodes?.map((e) => e.titleId)).toEqual([ids.lowTide]);
    expect((await search('q=keeper')).episodes?.map((e) => e.name)).toEqual(['The Keeper']);
  });

  it('leaves out unpublished episodes and those above the profile’s ratings', async () => {
    const all = (await search('q=tide&profileId=adult-episodes')).episodes?.map((e) => e.name).sort();
    expect(all).toEqual(['Low Tide', 'Night Tide']);
    const kids = (await search('q=tide&profileId=kid-episodes')).episodes?.map((e) => e.name);
    expect(kids).toEqual(['Low Tide']);
  });

  it('lists episodes on a search’s first page only, and never when browsing', async () => {
    const first = await search('q=tide&limit=1');
    expect(first.episodes?.length).toBeGreaterThan(0);
    if (first.nextCursor) {
      const next = await search(`q=tide&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`);
      expect(next.episodes).toBeUndefined();
    }
    expect((await search('limit=5')).episodes).toBeUndefined();
  });
});
