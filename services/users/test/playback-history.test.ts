import { randomUUID } from 'node:crypto';
import type { CloudEvent, Database, DeliveryOf } from '@marquee/platform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlaybackEvent, type PLAYBACK_TYPES } from '../src/jobs/playback-history.js';
import type { UsersTables } from '../src/store/tables.js';
import { startUsers, storeBackends, type UsersHarness } from './harness.js';

const at = (second: number) => new Date(Date.UTC(2026, 10, 21, 20, 0, second)).toISOString();

function delivery(
  type: string,
  second: number,
  data: Record<string, unknown>,
  id: string = randomUUID(),
): DeliveryOf<(typeof PLAYBACK_TYPES)[number]> {
  const event: CloudEvent = {
    specversion: '1.0',
    id,
    source: 'streaming',
    type,
    time: at(second),
    datacontenttype: 'application/json',
    data,
  };
  // Hand-made on purpose: the tests feed events the bus would have validated against the catalogue.
  return { event, position: 1, deliveryCount: 1, extendLease: async () => undefined } as DeliveryOf<
    (typeof PLAYBACK_TYPES)[number]
  >;
}

describe.each(await storeBackends())(
  'viewing history from playback events on $backend',
  ({ backend, available }) => {
    let users: UsersHarness;
    let db: Database<UsersTables>;
    let accountId: string;
    let profileId: string;
    let token: string;
    beforeEach(async () => {
      if (!available) return;
      users = await startUsers(backend);
      db = users.db as Database<UsersTables>;
      const pair = await users.signup();
      ({ accountId, accessToken: token } = pair);
      profileId = (await users.call({ url: '/api/profiles', token })).json().items[0].profileId;
    });
    afterEach(async () => {
      await users?.close();
    });

    const playback = (
      type: string,
      second: number,
      position: number,
      extra: Record<string, unknown> = {},
      id?: string,
    ) =>
      delivery(
        `playback.${type}`,
        second,
        { sessionId: 's1', accountId, profileId, titleId: 'film-1', position, duration: 3600, ...extra },
        id,
      );
    const history = async () =>
      (await users.call({ url: `/api/profiles/${profileId}/history/film-1`, token })).json();
    const now = () => new Date();

    it.runIf(available)('records resume positions and ignores replays and stragglers', async () => {
      const started = playback('started', 0, 0);
      expect(await applyPlaybackEvent(db, started, now)).toBe('applied');
      const beat = playback('heartbeat', 30, 120);
      expect(await applyPlaybackEvent(db, beat, now)).toBe('applied');
      const snapshot = await history();
      expect(snapshot).toEqual({
        titleId: 'film-1',
        position: 120,
        duration: 3600,
        completed: false,
        startedAt: at(0),
        lastWatchedAt: at(30),
      });

      // The same event again (redelivery, replay from an offset): nothing changes.
      expect(await applyPlaybackEvent(db, beat, now)).toBe('duplicate');
      expect(await applyPlaybackEvent(db, started, now)).toBe('duplicate');
      // A different event that is older than what is stored: nothing changes either.
      expect(await applyPlaybackEvent(db, playback('heartbeat', 20, 90), now)).toBe('stale');
      expect(await history()).toEqual(snapshot);

      expect(await applyPlaybackEvent(db, playback('stopped', 60, 1500.5), now)).toBe('applied');
      expect(await history()).toMatchObject({ position: 1500.5, completed: false, lastWatchedAt: at(60) });
      const cw = (await users.call({ url: `/internal/profiles/${profileId}/continue-watching` })).json()
        .items;
      expect(cw).toEqual([expect.objectContaining({ titleId: 'film-1', position: 1500.5 })]);
      expect(
        (await users.call({ url: `/api/profiles/${profileId}/history`, token })).json().items,
      ).toHaveLength(1);
    });

    it.runIf(available)(
      'keeps a newer session’s position when an older, lapsed session is ended later',
      async () => {
        // Session s1 reached 201 s, then its player went away (its start's answer was lost, say); the
        // viewer started s2 and watched on to 305 s. Ending s1 later carries its old position.
        await applyPlaybackEvent(db, playback('heartbeat', 10, 201), now);
        await applyPlaybackEvent(db, playback('heartbeat', 40, 305, { sessionId: 's2' }), now);
        expect(await applyPlaybackEvent(db, playback('stopped', 70, 201, { lapsed: true }), now)).toBe(
          'stale',
        );
        expect(await history()).toMatchObject({ position: 305, lastWatchedAt: at(40) });
        // The same stop from the viewer (not lapsed) is the newest thing said: it applies.
        expect(await applyPlaybackEvent(db, playback('stopped', 80, 320, { sessionId: 's2' }), now)).toBe(
          'applied',
        );
        expect(await history()).toMatchObject({ position: 320 });
      },
    );

    it.runIf(available)('marks a title finished and drops it from continue watching', async () => {
      await applyPlaybackEvent(db, playback('stopped', 10, 3590), now);
      expect((await history()).completed).toBe(true);
      const cw = (await users.call({ url: `/internal/profiles/${profileId}/continue-watching` })).json()
        .items;
      expect(cw).toEqual([]);
    });

    it.runIf(available)('ignores events for unknown profiles or profiles of another account', async () => {
      expect(await applyPlaybackEvent(db, playback('started', 0, 0, { profileId: 'gone' }), now)).toBe(
        'unknown_profile',
      );
      expect(
        await applyPlaybackEvent(db, playback('started', 0, 0, { accountId: 'someone-else' }), now),
      ).toBe('unknown_profile');
      expect((await users.call({ url: `/api/profiles/${profileId}/history/film-1`, token })).statusCode).toBe(
        404,
      );
    });

    it.runIf(available)('consumes playback events from the bus as group users, once each', async () => {
      await users.users.start();
      const data = { sessionId: 's1', accountId, profileId, titleId: 'film-2', position: 42, duration: 600 };
      const id = randomUUID();
      await users.ctx.bus.publish({ id, type: 'playback.heartbeat', source: 'streaming', data });
      const deadline = Date.now() + 10_000;
      let res;
      do {
        await new Promise((r) => setTimeout(r, 50));
        res = await users.call({ url: `/api/profiles/${profileId}/history/film-2`, token });
      } while (res.statusCode !== 200 && Date.now() < deadline);
      expect(res.json()).toMatchObject({ titleId: 'film-2', position: 42 });
      // A redelivery under the same id, even carrying a later time, is recognised and changes nothing.
      await users.ctx.bus.publish({
        id,
        type: 'playback.heartbeat',
        source: 'streaming',
        data: { ...data, position: 99 },
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(
        (await users.call({ url: `/api/profiles/${profileId}/history/film-2`, token })).json().position,
      ).toBe(42);
    });
  },
);
