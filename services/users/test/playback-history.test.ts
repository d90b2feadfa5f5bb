import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyPlaybackEvent } from '../src/jobs/playback-history.js';
import { storeBackends } from './harness.js';
import { at, playbackViewerEachTest } from './playback-viewer.js';

describe.each(await storeBackends())(
  'viewing history from playback events on $backend',
  ({ backend, available }) => {
    const v = playbackViewerEachTest(backend, available);
    const now = () => new Date();

    it.runIf(available)('records resume positions and ignores replays and stragglers', async () => {
      const started = v.playback('started', 0, 0);
      expect(await applyPlaybackEvent(v.db, started, now)).toBe('applied');
      const beat = v.playback('heartbeat', 30, 120);
      expect(await applyPlaybackEvent(v.db, beat, now)).toBe('applied');
      const snapshot = await v.history();
      expect(snapshot).toEqual({
        titleId: 'film-1',
        position: 120,
        duration: 3600,
        completed: false,
        startedAt: at(0),
        lastWatchedAt: at(30),
      });

      // The same event again (redelivery, replay from an offset): nothing changes.
      expect(await applyPlaybackEvent(v.db, beat, now)).toBe('duplicate');
      expect(await applyPlaybackEvent(v.db, started, now)).toBe('duplicate');
      // A different event that is older than what is stored: nothing changes either.
      expect(await applyPlaybackEvent(v.db, v.playback('heartbeat', 20, 90), now)).toBe('stale');
      expect(await v.history()).toEqual(snapshot);

      expect(await applyPlaybackEvent(v.db, v.playback('stopped', 60, 1500.5), now)).toBe('applied');
      expect(await v.history()).toMatchObject({ position: 1500.5, completed: false, lastWatchedAt: at(60) });
      const cw = (await v.users.call({ url: `/internal/profiles/${v.profileId}/continue-watching` })).json()
        .items;
      expect(cw).toEqual([expect.objectContaining({ titleId: 'film-1', position: 1500.5 })]);
      expect(
        (await v.users.call({ url: `/api/profiles/${v.profileId}/history`, token: v.token })).json().items,
      ).toHaveLength(1);
    });

    it.runIf(available)(
      'keeps a newer session’s position when an older, lapsed session is ended later',
      async () => {
        // Session s1 reached 201 s, then its player went away (its start's answer was lost, say); the
        // viewer started s2 and watched on to 305 s. Ending s1 later carries its old position.
        await applyPlaybackEvent(v.db, v.playback('heartbeat', 10, 201), now);
        await applyPlaybackEvent(v.db, v.playback('heartbeat', 40, 305, { sessionId: 's2' }), now);
        expect(await applyPlaybackEvent(v.db, v.playback('stopped', 70, 201, { lapsed: true }), now)).toBe(
          'stale',
        );
        expect(await v.history()).toMatchObject({ position: 305, lastWatchedAt: at(40) });
        // The same stop from the viewer (not lapsed) is the newest thing said: it applies.
        expect(await applyPlaybackEvent(v.db, v.playback('stopped', 80, 320, { sessionId: 's2' }), now)).toBe(
          'applied',
        );
        expect(await v.history()).toMatchObject({ position: 320 });
      },
    );

    it.runIf(available)('marks a title finished and drops it from continue watching', async () => {
      await applyPlaybackEvent(v.db, v.playback('stopped', 10, 3590), now);
      expect((await v.history()).completed).toBe(true);
      const cw = (await v.users.call({ url: `/internal/profiles/${v.profileId}/continue-watching` })).json()
        .items;
      expect(cw).toEqual([]);
    });

    it.runIf(available)('ignores events for unknown profiles or profiles of another account', async () => {
      expect(await applyPlaybackEvent(v.db, v.playback('started', 0, 0, { profileId: 'gone' }), now)).toBe(
        'unknown_profile',
      );
      expect(
        await applyPlaybackEvent(v.db, v.playback('started', 0, 0, { accountId: 'someone-else' }), now),
      ).toBe('unknown_profile');
      expect(
        (await v.users.call({ url: `/api/profiles/${v.profileId}/history/film-1`, token: v.token }))
          .statusCode,
      ).toBe(404);
    });

    it.runIf(available)('consumes playback events from the bus as group users, once each', async () => {
      await v.users.users.start();
      const data = {
        sessionId: 's1',
        accountId: v.accountId,
        profileId: v.profileId,
        titleId: 'film-2',
        position: 42,
        duration: 600,
      };
      const id = randomUUID();
      await v.users.ctx.bus.publish({ id, type: 'playback.heartbeat', source: 'streaming', data });
      const deadline = Date.now() + 10_000;
      let res;
      do {
        await new Promise((r) => setTimeout(r, 50));
        res = await v.users.call({ url: `/api/profiles/${v.profileId}/history/film-2`, token: v.token });
      } while (res.statusCode !== 200 && Date.now() < deadline);
      expect(res.json()).toMatchObject({ titleId: 'film-2', position: 42 });
      // A redelivery under the same id, even carrying a later time, is recognised and changes nothing.
      await v.users.ctx.bus.publish({
        id,
        type: 'playback.heartbeat',
        source: 'streaming',
        data: { ...data, position: 99 },
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(
        (await v.users.call({ url: `/api/profiles/${v.profileId}/history/film-2`, token: v.token })).json()
          .position,
      ).toBe(42);
    });
  },
);
