import { randomUUID } from 'node:crypto';
import type { CloudEvent, Database, DeliveryOf } from '@marquee/platform';
import { afterEach, beforeEach } from 'vitest';
import type { PLAYBACK_TYPES } from '../src/jobs/playback-history.js';
import type { UsersTables } from '../src/store/tables.js';
import { startUsers, type StoreBackend, type UsersHarness } from './harness.js';

/** Second `second` of a fixed evening: the event times the viewing-history tests order by. */
export const at = (second: number) => new Date(Date.UTC(2026, 10, 21, 20, 0, second)).toISOString();

export type PlaybackDelivery = DeliveryOf<(typeof PLAYBACK_TYPES)[number]>;

/** A signed-up viewer with the first profile, on a users service of its own, for the playback-history tests. */
export interface PlaybackViewer {
  users: UsersHarness;
  db: Database<UsersTables>;
  accountId: string;
  profileId: string;
  token: string;
  /**
   * A `playback.<type>` delivery of session s1 on title film-1 at `at(second)`; `extra` overrides data
   * fields. Hand-made on purpose: the tests feed events the bus would have validated against the catalogue.
   */
  playback(
    type: string,
    second: number,
    position: number,
    extra?: Record<string, unknown>,
    id?: string,
  ): PlaybackDelivery;
  /** The viewer's stored history of film-1, as the API answers it. */
  history(): Promise<Record<string, unknown>>;
}

/**
 * Starts users on `backend` and signs a viewer up before each test of the calling describe, closing
 * it after; the returned object's fields are those of the running test (read them inside the test).
 */
export function playbackViewerEachTest(backend: StoreBackend, available: boolean): PlaybackViewer {
  const viewer = {} as PlaybackViewer;
  beforeEach(async () => {
    if (!available) return;
    const users = await startUsers(backend);
    const { accountId, accessToken: token } = await users.signup();
    const profileId: string = (await users.call({ url: '/api/profiles', token })).json().items[0].profileId;
    Object.assign(viewer, {
      users,
      db: users.db as Database<UsersTables>,
      accountId,
      profileId,
      token,
      playback: (type, second, position, extra = {}, id = randomUUID()) => {
        const event: CloudEvent = {
          specversion: '1.0',
          id,
          source: 'streaming',
          type: `playback.${type}`,
          time: at(second),
          datacontenttype: 'application/json',
          data: {
            sessionId: 's1',
            accountId,
            profileId,
            titleId: 'film-1',
            position,
            duration: 3600,
            ...extra,
          },
        };
        return {
          event,
          position: 1,
          deliveryCount: 1,
          extendLease: async () => undefined,
        } as PlaybackDelivery;
      },
      history: async () =>
        (await users.call({ url: `/api/profiles/${profileId}/history/film-1`, token })).json(),
    } satisfies PlaybackViewer);
  });
  afterEach(async () => {
    await viewer.users?.close();
  });
  return viewer;
}
