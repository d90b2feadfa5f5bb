import { SERVICE_TOKEN_HEADER, serviceToken } from '@marquee/core';
import { createTestContext, type TestContext } from '@marquee/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRecommender, type Home, type RecommenderModule } from '../src/index.js';
import { drained, profileCreated, titlePublished, watched } from './events.js';
import { fixtureTitles, GENRES } from './fixtures.js';
import { startUsersFixture, type UsersFixture } from './users-fixture.js';

/**
 * The recommender as a service: real embedded event log, real SQLite, real in-process cache, and a
 * real HTTP server standing in for the users service. Requests go through app.inject.
 */
let ctx: TestContext;
let users: UsersFixture;
let recommender: RecommenderModule;
let headers: Record<string, string>;

async function home(profileId: string): Promise<Home> {
  const res = await recommender.app.inject({
    method: 'GET',
    url: `/api/profiles/${profileId}/home`,
    headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Home>();
}
const row = (page: Home, id: string) => page.rows.find((r) => r.id === id);
const rowStartingWith = (page: Home, prefix: string) => page.rows.find((r) => r.id.startsWith(prefix));
const genresIn = (items: { genres: string[] }[] | undefined) => (items ?? []).map((i) => i.genres[0]);

beforeAll(async () => {
  ctx = await createTestContext();
  users = await startUsersFixture(ctx.secret);
  ctx.urls.users = [users.url];
  headers = { [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret) };
  recommender = await buildRecommender(ctx, {
    policy: { afterEvents: 10_000, minGapMs: 0 },
    limits: { rowLength: 5 },
    users: { breakerCooldownMs: 100 },
    ttls: { degradedMs: 100 },
  });
  await recommender.start();

  // A catalog of four genres and a population with planted taste: fans of each genre.
  await ctx.bus.publish(fixtureTitles().map(titlePublished));
  const population = GENRES.flatMap((genre) =>
    Array.from({ length: 6 }, (_, k) =>
      fixtureTitles()
        .filter((t) => t.genres[0] === genre)
        .filter((_, i) => (i + k) % 3 !== 0)
        .flatMap((t) => watched(`${genre.toLowerCase()}-fan-${k}`, t.titleId)),
    ).flat(),
  );
  await ctx.bus.publish(population);
  await drained(ctx.bus, 'recommender');
  await recommender.retrainNow();
}, 60_000);

afterAll(async () => {
  await recommender?.app.close();
  await recommender?.stop();
  await users?.close();
  await ctx?.cleanup();
});

describe('recommender service', () => {
  it('answers only other Marquee services', async () => {
    const res = await recommender.app.inject({ method: 'GET', url: '/api/profiles/p/home' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('is ready once the first models are trained', async () => {
    const res = await recommender.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.json()).toMatchObject({ status: 'ready', checks: { database: true, models: true } });
  });

  it('changes Top picks and Because you watched after a new viewer watches and likes one genre', async () => {
    users.profiles.set('newbie', { name: 'Newbie', kids: false, maxMaturity: 'NC-17' });
    const before = await home('newbie');
    expect(row(before, 'top-picks')?.title).toBe('Top picks for Newbie');
    expect(rowStartingWith(before, 'because-you-watched')).toBeUndefined();

    await ctx.bus.publish([
      ...watched('newbie', 'comedy-01', { rating: 'up' }),
      ...watched('newbie', 'comedy-04', { rating: 'up' }),
      ...watched('newbie', 'comedy-07', { rating: 'up' }),
    ]);
    await drained(ctx.bus, 'recommender');

    // Before any retraining: the profile's new history is scored with the current model.
    const after = await home('newbie');
    expect(genresIn(row(after, 'top-picks')?.items)).toEqual(Array(5).fill('Comedy'));
    const because = rowStartingWith(after, 'because-you-watched:comedy-');
    expect(because?.title).toMatch(/^Because you watched Comedy \d$/);
    expect(genresIn(because?.items).every((g) => g === 'Comedy')).toBe(true);
    for (const r of after.rows)
      for (const id of ['comedy-01', 'comedy-04', 'comedy-07'])
        expect(r.items.map((i) => i.titleId)).not.toContain(id); // finished: never again

    // And after retraining, still so.
    await recommender.retrainNow();
    expect(genresIn(row(await home('newbie'), 'top-picks')?.items)).toEqual(Array(5).fill('Comedy'));
  });

  it('shows Continue Watching and My List from users, with progress, and caches the page', async () => {
    users.profiles.set('viewer', { name: 'Viewer', kids: false, maxMaturity: 'R' });
    users.continueWatching.set('viewer', [{ titleId: 'drama-02', position: 40, duration: 100 }]);
    users.lists.set('viewer', ['horror-03']);
    const page = await home('viewer');
    expect(page.rows.slice(0, 2).map((r) => r.id)).toEqual(['continue-watching', 'my-list']);
    expect(row(page, 'continue-watching')?.items[0]).toEqual({
      titleId: 'drama-02',
      name: 'Drama 2',
      year: 2002,
      maturity: 'PG-13',
      genres: ['Drama'],
      progress: 0.4,
      resumeAt: 40,
    });
    const callsAfterFirst = users.calls.profile;
    await home('viewer');
    expect(users.calls.profile).toBe(callsAfterFirst); // from the cache

    // An event of that profile invalidates its page: the next request asks users again.
    await ctx.bus.publish({
      type: 'mylist.changed',
      source: 'users',
      data: { accountId: 'a', profileId: 'viewer', titleId: 'comedy-02', inList: true },
    });
    await drained(ctx.bus, 'recommender');
    users.lists.set('viewer', ['comedy-02', 'horror-03']);
    const updated = await home('viewer');
    expect(users.calls.profile).toBe(callsAfterFirst + 1);
    expect(row(updated, 'my-list')?.items.map((i) => i.titleId)).toEqual(['comedy-02', 'horror-03']);
  });

  it('never recommends above a kids profile’s ceiling', async () => {
    users.profiles.set('kid', { name: 'Kid', kids: true, maxMaturity: 'PG' });
    await ctx.bus.publish(watched('kid', 'animation-02'));
    await drained(ctx.bus, 'recommender');
    const page = await home('kid');
    expect(page.rows.length).toBeGreaterThan(2);
    for (const r of page.rows) for (const item of r.items) expect(['G', 'PG']).toContain(item.maturity);
  });

  it('renders the other rows when users is down, keeping the ceiling from profile.created', async () => {
    await ctx.bus.publish([
      profileCreated('offline-kid', true, 'PG'),
      ...watched('offline-kid', 'animation-03'),
    ]);
    await drained(ctx.bus, 'recommender');
    users.continueWatching.set('offline-kid', [{ titleId: 'animation-05', position: 5, duration: 100 }]);
    users.failWith = 503;
    try {
      const page = await home('offline-kid');
      expect(row(page, 'continue-watching')).toBeUndefined();
      expect(row(page, 'my-list')).toBeUndefined();
      expect(row(page, 'top-picks')?.title).toBe('Top picks for you');
      expect(page.rows.length).toBeGreaterThan(2);
      for (const r of page.rows) for (const item of r.items) expect(['G', 'PG']).toContain(item.maturity);
    } finally {
      users.failWith = undefined;
    }
    // The degraded page is cached only briefly, and the users breaker closes again by itself.
    users.profiles.set('offline-kid', { name: 'Kiddo', kids: true, maxMaturity: 'PG' });
    await vi.waitFor(
      async () =>
        expect(row(await home('offline-kid'), 'continue-watching')?.items[0]?.titleId).toBe('animation-05'),
      { timeout: 5_000, interval: 50 },
    );
  });

  it('answers 404 for a profile users does not know', async () => {
    const res = await recommender.app.inject({ method: 'GET', url: '/api/profiles/ghost/home', headers });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, type: expect.stringMatching(/not_found/) });
  });

  it('serves popular rows for the gateway’s fallback, within the ceiling asked for (G by default)', async () => {
    const pg = await recommender.app.inject({
      method: 'GET',
      url: '/internal/popular?maxMaturity=PG',
      headers,
    });
    const rows = pg.json<Home>().rows;
    expect(rows[0]?.id).toBe('popular');
    for (const r of rows) for (const item of r.items) expect(['G', 'PG']).toContain(item.maturity);
    const any = await recommender.app.inject({ method: 'GET', url: '/internal/popular', headers });
    for (const r of any.json<Home>().rows) for (const item of r.items) expect(item.maturity).toBe('G');
    const kids = await recommender.app.inject({
      method: 'GET',
      url: '/internal/popular?maxMaturity=R&kids=true',
      headers,
    });
    for (const r of kids.json<Home>().rows)
      for (const item of r.items) expect(['G', 'PG']).toContain(item.maturity);
    const bad = await recommender.app.inject({
      method: 'GET',
      url: '/internal/popular?maxMaturity=X',
      headers,
    });
    expect(bad.statusCode).toBe(400);
  });
});
