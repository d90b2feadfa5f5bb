import { backendAvailable, openTestDatabase } from '@marquee/platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RecommenderChange } from '../app/changes.js';
import { RecommenderStore } from './recommender-store.js';
import type { RecommenderTables } from './tables.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 12, minute)).toISOString();
const v = (minute: number, id: string) => `${at(minute)}|${id}`;

/** A small event history: [event id, change]. */
const history: [string, RecommenderChange][] = [
  [
    'e1',
    {
      kind: 'title',
      titleId: 't1',
      name: 'First name',
      genres: ['Drama'],
      maturity: 'PG',
      year: 2001,
      posterUrl: null,
      seriesId: null,
      at: at(1),
      version: v(1, 'e1'),
    },
  ],
  [
    'e2',
    {
      kind: 'title',
      titleId: 't1',
      name: 'Renamed',
      genres: ['Drama', 'Crime'],
      maturity: 'R',
      year: 2001,
      posterUrl: 'https://cdn/p.jpg',
      seriesId: null,
      at: at(5),
      version: v(5, 'e2'),
    },
  ],
  ['e3', { kind: 'profile', profileId: 'p1', accountId: 'a1', kids: true, maxMaturity: 'PG', at: at(0) }],
  ['e4', { kind: 'playback', profileId: 'p1', titleId: 't1', completion: 0, started: true, at: at(2) }],
  ['e5', { kind: 'playback', profileId: 'p1', titleId: 't1', completion: 0.95, started: false, at: at(3) }],
  ['e6', { kind: 'playback', profileId: 'p1', titleId: 't1', completion: 0.1, started: true, at: at(9) }],
  ['e7', { kind: 'rating', profileId: 'p1', titleId: 't1', rating: 'up', at: at(4), version: v(4, 'e7') }],
  ['e8', { kind: 'rating', profileId: 'p1', titleId: 't1', rating: 'down', at: at(6), version: v(6, 'e8') }],
  ['e9', { kind: 'list', profileId: 'p1', titleId: 't2', inList: true, at: at(7), version: v(7, 'e9') }],
  ['e10', { kind: 'list', profileId: 'p1', titleId: 't2', inList: false, at: at(8), version: v(8, 'e10') }],
];

async function snapshot(store: RecommenderStore) {
  return { titles: await store.titles(), interactions: await store.interactions() };
}

for (const backend of ['embedded', 'postgres'] as const) {
  describe.runIf(await backendAvailable(backend))(`RecommenderStore on ${backend}`, () => {
    async function openStore(): Promise<RecommenderStore> {
      const db = await openTestDatabase<RecommenderTables>(backend, { service: 'recs' });
      onTestFinished(() => db.close());
      const store = new RecommenderStore(db);
      await store.migrate();
      return store;
    }

    it('forgets a deleted account’s profiles and interactions, once, and no one else’s', async () => {
      const store = await openStore();
      for (const [id, change] of history) await store.apply(id, 'x', change);
      const other: RecommenderChange = {
        kind: 'profile',
        profileId: 'p2',
        accountId: 'a2',
        kids: false,
        maxMaturity: 'R',
        at: at(0),
      };
      await store.apply('o1', 'profile.created', other);
      await store.apply('o2', 'playback.started', {
        kind: 'playback',
        profileId: 'p2',
        titleId: 't1',
        completion: 0,
        started: true,
        at: at(2),
      });
      const deleted: RecommenderChange = {
        kind: 'account_deleted',
        accountId: 'a1',
        profileIds: ['p1'],
        at: at(10),
      };
      expect(await store.apply('d1', 'account.deleted', deleted)).toBe(true);
      expect(await store.apply('d1', 'account.deleted', deleted)).toBe(false);
      expect((await store.interactions()).map((i) => i.profileId)).toEqual(['p2']);
      expect(await store.profile('p1')).toBeUndefined();
      expect(await store.profile('p2')).toBeDefined();
    });

    it('merges a history into the expected rows', async () => {
      const store = await openStore();
      for (const [id, change] of history) expect(await store.apply(id, 'x', change)).toBe(true);
      const { titles, interactions } = await snapshot(store);
      expect(titles).toEqual([
        {
          titleId: 't1',
          name: 'Renamed',
          genres: ['Drama', 'Crime'],
          maturity: 'R',
          year: 2001,
          posterUrl: 'https://cdn/p.jpg',
          seriesId: null,
          publishedAt: at(1),
        },
      ]);
      expect(interactions).toEqual([
        {
          profileId: 'p1',
          titleId: 't1',
          played: true,
          completion: 0.95,
          lastStartedAt: at(9),
          rating: 'down',
          inList: false,
          lastEventAt: at(9),
        },
        {
          profileId: 'p1',
          titleId: 't2',
          played: false,
          completion: 0,
          lastStartedAt: null,
          rating: null,
          inList: false,
          lastEventAt: at(8),
        },
      ]);
      expect(await store.profile('p1')).toEqual({ profileId: 'p1', kids: true, maxMaturity: 'PG' });
      expect(await store.profile('nobody')).toBeUndefined();
      expect(await store.processedEventCount()).toBe(history.length);
    });

    it('reads every interaction across pages, in key order', async () => {
      const store = await openStore();
      for (const [id, change] of history) await store.apply(id, 'x', change);
      const extra: RecommenderChange = {
        kind: 'list',
        profileId: 'p0',
        titleId: 't9',
        inList: true,
        at: at(1),
        version: v(1, 'e11'),
      };
      await store.apply('e11', 'x', extra);
      const whole = await store.interactions();
      expect(whole.map((i) => `${i.profileId}/${i.titleId}`)).toEqual(['p0/t9', 'p1/t1', 'p1/t2']);
      expect(await store.interactions(1)).toEqual(whole);
      expect(await store.interactions(2)).toEqual(whole);
    });

    it('applies an event id once: a redelivery changes nothing', async () => {
      const store = await openStore();
      const [id, change] = history[6]!;
      expect(await store.apply(id, 'title.rated', change)).toBe(true);
      expect(await store.apply(id, 'title.rated', { ...change, rating: 'down' } as RecommenderChange)).toBe(
        false,
      );
      expect((await store.profileHistory('p1'))[0]?.rating).toBe('up');
      expect(await store.processedEventCount()).toBe(1);
    });

    it('ends in the same rows whatever order the events arrive in', async () => {
      const forward = await openStore();
      for (const [id, change] of history) await forward.apply(id, 'x', change);
      const backward = await openStore();
      for (const [id, change] of [...history].reverse()) await backward.apply(id, 'x', change);
      expect(await snapshot(backward)).toEqual(await snapshot(forward));
    });
  });
}
