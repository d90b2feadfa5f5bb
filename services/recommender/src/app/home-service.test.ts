import { createLogger } from '@marquee/core';
import { backendAvailable, openTestCache } from '@marquee/platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fixtureInput } from '../../test/fixtures.js';
import { runToEnd } from './cooperative.js';
import { DEFAULT_ROW_LIMITS } from './home-plan.js';
import { DEFAULT_HOME_TTLS, HomeService } from './home-service.js';
import type { HistoryFacts } from './personal-ranking.js';
import { trainSnapshotSteps } from './training.js';
import type { UsersDirectory } from './users-directory.js';

const snapshot = runToEnd(trainSnapshotSteps(fixtureInput()));

/** The home page cache on each cache adapter: generations, degraded pages, single build per key. */
for (const backend of ['embedded', 'redis'] as const) {
  describe.runIf(await backendAvailable(backend))(`HomeService on the ${backend} cache`, () => {
    async function service(usersUp = true) {
      const cache = await openTestCache(backend);
      onTestFinished(() => cache.close());
      const history = new Map<string, HistoryFacts[]>();
      let builds = 0;
      const state = { usersUp };
      const users: UsersDirectory = {
        profile: async () => {
          builds++;
          if (!state.usersUp) throw new Error('users down');
          return { name: 'Ada', kids: false, maxMaturity: 'R' };
        },
        continueWatching: async () => [],
        myList: async () => [],
      };
      const home = new HomeService({
        history: { profileHistory: async (id) => history.get(id) ?? [], profile: async () => undefined },
        users,
        model: () => snapshot,
        cache,
        logger: createLogger({ level: 'silent' }),
        limits: DEFAULT_ROW_LIMITS,
        ttls: { ...DEFAULT_HOME_TTLS, degradedMs: 200 },
      });
      return { home, history, builds: () => builds, state };
    }

    it('builds a page once, then serves it from the cache until the profile’s next event', async () => {
      const { home, history, builds } = await service();
      const first = await home.homePage('p1');
      expect(await home.homePage('p1')).toBe(first);
      expect(builds()).toBe(1);
      history.set('p1', [
        { titleId: 'drama-01', played: true, completion: 1, rating: 'up', inList: false, lastEventAt: 'x' },
      ]);
      await home.invalidate('p1');
      const second = await home.homePage('p1');
      expect(builds()).toBe(2);
      expect(second).not.toBe(first);
      const picks = (JSON.parse(second.toString()) as { rows: { items: { genres: string[] }[] }[] }).rows[0]!
        .items;
      expect(picks.slice(0, 5).map((i) => i.genres[0])).toEqual(Array(5).fill('Drama'));
    });

    it('keeps a page built without users only briefly, however often it is read', async () => {
      const { home, builds, state } = await service(false);
      const degraded = JSON.parse((await home.homePage('p2')).toString()) as { rows: { title: string }[] };
      expect(degraded.rows[0]?.title).toBe('Top picks for you');
      state.usersUp = true;
      const deadline = Date.now() + 3_000;
      let page = degraded;
      while (page.rows[0]?.title !== 'Top picks for Ada' && Date.now() < deadline) {
        page = JSON.parse((await home.homePage('p2')).toString()) as typeof page;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(page.rows[0]?.title).toBe('Top picks for Ada');
      expect(builds()).toBe(2);
    });
  });
}
