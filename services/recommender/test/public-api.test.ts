import type { ServiceModule } from '@marquee/core';
import { buildGateway } from '@marquee/gateway';
import { createTestContext, type TestContext } from '@marquee/platform/testing';
import { buildUsers } from '@marquee/users';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRecommender, type Home, type RecommenderModule } from '../src/index.js';
import { recommenderSettings } from '../src/settings.js';
import { drained, titlePublished, watched } from './events.js';
import { fixtureTitles, GENRES } from './fixtures.js';

/**
 * End to end through the public API: the real gateway, users and recommender on loopback, sharing one
 * embedded event log. A viewer signs up (users), thumbs titles up through the gateway (users emits
 * title.rated through its outbox), plays them (the playback events streaming would publish), and reads
 * the home page through the gateway with their access token.
 */
let ctx: TestContext;
let users: ServiceModule;
let recommender: RecommenderModule;
let gateway: ServiceModule;

beforeAll(async () => {
  ctx = await createTestContext({
    settings: { RECS_RETRAIN_AFTER_EVENTS: '50' },
    fragments: [recommenderSettings],
  });
  users = await buildUsers(ctx, {
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    print: () => {},
  });
  ctx.urls.users = [await users.app.listen({ port: 0, host: '127.0.0.1' })];
  recommender = await buildRecommender(ctx);
  ctx.urls.recommender = [await recommender.app.listen({ port: 0, host: '127.0.0.1' })];
  gateway = await buildGateway(ctx);
  await gateway.app.ready();
  for (const service of [users, recommender, gateway]) await service.start();

  // The catalog (4 genres × 40 titles: enough for full rows of 20 after de-duplication) and a
  // population with planted taste, as streaming would publish them.
  const titles = fixtureTitles(40);
  await ctx.bus.publish(titles.map(titlePublished));
  await ctx.bus.publish(
    GENRES.flatMap((genre) =>
      Array.from({ length: 6 }, (_, k) =>
        titles
          .filter((t) => t.genres[0] === genre && Number(t.titleId.slice(-2)) % 3 !== k % 3)
          .flatMap((t) => watched(`${genre.toLowerCase()}-fan-${k}`, t.titleId)),
      ).flat(),
    ),
  );
  await drained(ctx.bus, 'recommender');
  await recommender.retrainNow();
}, 60_000);

afterAll(async () => {
  for (const service of [gateway, recommender, users]) {
    await service?.app.close();
    await service?.stop();
  }
  await ctx?.cleanup();
});

async function api<T>(method: string, url: string, token?: string, payload?: object): Promise<T> {
  const res = await gateway.app.inject({
    method: method as 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload ? { payload } : {}),
  });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return (res.body ? res.json() : undefined) as T;
}

const topPicks = (home: Home) => home.rows.find((r) => r.id === 'top-picks');
const genresOf = (items: { genres: string[] }[] = []) => items.map((i) => i.genres[0]);

describe('home rows through the public API', () => {
  it('follow what a new viewer watches and likes', async () => {
    const { accessToken } = await api<{ accessToken: string }>('POST', '/api/auth/signup', undefined, {
      email: 'newbie@marquee.test',
      password: 'a long enough passphrase',
      plan: 'standard',
    });
    const listed = await api<{ items: { profileId: string; name: string }[] } | { profileId: string }[]>(
      'GET',
      '/api/profiles',
      accessToken,
    );
    const profileId = (Array.isArray(listed) ? listed : listed.items)[0]!.profileId;

    // The first page may come from the gateway's fallback if building it takes longer than the
    // gateway's budget on a busy machine; the recommender finishes and caches it anyway.
    const before = await vi.waitFor(
      async () => {
        const home = await api<Home>('GET', `/api/profiles/${profileId}/home`, accessToken);
        expect(topPicks(home)).toBeDefined();
        return home;
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(before.rows.some((r) => r.id.startsWith('because-you-watched'))).toBe(false);
    expect(genresOf(topPicks(before)?.items).every((g) => g === 'Horror')).toBe(false);

    // The viewer watches three horror films to the end and gives them a thumbs up.
    for (const titleId of ['horror-01', 'horror-04', 'horror-07']) {
      await ctx.bus.publish(watched(profileId, titleId));
      await api('PUT', `/api/profiles/${profileId}/ratings/${titleId}`, accessToken, { rating: 'up' });
    }

    await vi.waitFor(
      async () => {
        const after = await api<Home>('GET', `/api/profiles/${profileId}/home`, accessToken);
        expect(topPicks(after)?.title).toMatch(/^Top picks for /);
        expect(genresOf(topPicks(after)?.items).slice(0, 5)).toEqual(Array(5).fill('Horror'));
        const because = after.rows.find((r) => r.id.startsWith('because-you-watched:horror-'));
        expect(because?.title).toMatch(/^Because you watched Horror \d$/);
        expect(genresOf(because?.items).every((g) => g === 'Horror')).toBe(true);
      },
      { timeout: 20_000, interval: 200 },
    );
  });

  it('stay at 200 when the recommender is stopped (the gateway serves its fallback)', async () => {
    const { accessToken } = await api<{ accessToken: string }>('POST', '/api/auth/login', undefined, {
      email: 'newbie@marquee.test',
      password: 'a long enough passphrase',
    });
    const listed = await api<{ items: { profileId: string }[] } | { profileId: string }[]>(
      'GET',
      '/api/profiles',
      accessToken,
    );
    const profileId = (Array.isArray(listed) ? listed : listed.items)[0]!.profileId;
    await recommender.app.close();
    const res = await gateway.app.inject({
      url: `/api/profiles/${profileId}/home`,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: expect.any(Array), degraded: true });
  });
});
