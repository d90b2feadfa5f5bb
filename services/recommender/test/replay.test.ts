import { SERVICE_TOKEN_HEADER, serviceToken } from '@marquee/core';
import { type ServiceContext } from '@marquee/platform';
import {
  backendAvailable,
  createTestContext,
  openTestDatabase,
  type TestContext,
} from '@marquee/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecommender, type RecommenderModule } from '../src/index.js';
import { drained, profileCreated, titlePublished, watched } from './events.js';
import { fixtureTitles, GENRES } from './fixtures.js';
import { startUsersFixture, type UsersFixture } from './users-fixture.js';

/**
 * Replaying the whole event stream into an empty store rebuilds the same model: a second recommender
 * with a fresh database subscribes under a new consumer group (which starts at the beginning of the
 * log), applies the same events in its own order (four at a time), and trains a model with the same
 * version and the same pages — on SQLite, and on PostgreSQL when it is running.
 */
let ctx: TestContext;
let users: UsersFixture;
let original: RecommenderModule;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  users = await startUsersFixture(ctx.secret);
  ctx.urls.users = [users.url];
  original = await buildRecommender(ctx, { consumerConcurrency: 1 });
  await original.start();
  const titles = fixtureTitles();
  const episode = { ...titles[0]!, titleId: 'comedy-00-e1', name: 'Pilot', seriesId: 'comedy-00' };
  await ctx.bus.publish([...titles, episode].map(titlePublished));
  const events = GENRES.flatMap((genre, g) =>
    Array.from({ length: 5 }, (_, k) => {
      const profile = `${genre.toLowerCase()}-fan-${k}`;
      return [
        profileCreated(profile, g === 3, g === 3 ? 'PG' : 'NC-17'),
        ...titles
          .filter((t) => t.genres[0] === genre && Number(t.titleId.slice(-2)) % (k + 2) !== 0)
          .flatMap((t, i) =>
            watched(profile, t.titleId, { completion: ((i % 4) + 1) / 4, rating: i % 3 ? undefined : 'up' }),
          ),
        ...watched(profile, 'comedy-00-e1', { completion: 0.5 }),
        {
          type: 'mylist.changed',
          source: 'users',
          data: { accountId: 'a', profileId: profile, titleId: `drama-0${k}`, inList: true },
        },
      ];
    }).flat(),
  );
  await ctx.bus.publish(events);
  // A correction after the fact: the later thumbs down must win in every replay order.
  await ctx.bus.publish(watched('comedy-fan-1', 'comedy-03', { rating: 'down' }));
  await drained(ctx.bus, 'recommender');
  cleanups.push(async () => {
    await original.app.close();
    await original.stop();
  });
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await users?.close();
  await ctx?.cleanup();
});

async function rebuild(name: string, backend: 'embedded' | 'postgres'): Promise<RecommenderModule> {
  const other = await createTestContext();
  cleanups.push(() => other.cleanup());
  const context: ServiceContext = {
    ...other,
    bus: ctx.bus, // the same stream, read by a new group from its beginning
    urls: { ...other.urls, users: [users.url] },
    secret: ctx.secret,
    openDb: async <DB>() => {
      const db = await openTestDatabase<DB>(backend, { service: 'recs_replay' });
      cleanups.push(() => db.close());
      return db;
    },
  };
  const rebuilt = await buildRecommender(context, { consumerGroup: name, consumerConcurrency: 4 });
  cleanups.push(async () => {
    await rebuilt.app.close();
    await rebuilt.stop();
  });
  await rebuilt.start();
  await drained(ctx.bus, name);
  return rebuilt;
}

async function page(module: RecommenderModule, profileId: string): Promise<unknown> {
  const res = await module.app.inject({
    method: 'GET',
    url: `/api/profiles/${profileId}/home`,
    headers: { [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret) },
  });
  return res.json();
}

const postgresUp = await backendAvailable('postgres');

describe('replaying the event stream', () => {
  for (const backend of ['embedded', 'postgres'] as const) {
    it.runIf(backend === 'embedded' || postgresUp)(`rebuilds the same model on ${backend}`, async () => {
      const expected = await original.retrainNow();
      expect(expected.personalModel).toBe('ease');
      const rebuilt = await rebuild(`recommender-replay-${backend}`, backend);
      const snapshot = await rebuilt.retrainNow();
      expect(snapshot.version).toBe(expected.version);
      expect(snapshot.trending).toEqual(expected.trending);
      users.profiles.set('comedy-fan-1', { name: 'Fan', kids: false, maxMaturity: 'NC-17' });
      expect(await page(rebuilt, 'comedy-fan-1')).toEqual(await page(original, 'comedy-fan-1'));
    });
  }
});
