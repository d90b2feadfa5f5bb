import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '@marquee/core';
import { backendAvailable } from '@marquee/platform/testing';
import { leaseKey } from '../src/app/playback.js';
import { eventually, readyTitle, startStreaming, type Backend, type Harness } from './harness.js';

const backends: Backend[] = ['embedded'];
if ((await backendAvailable('postgres')) && (await backendAvailable('redis'))) backends.push('postgres');

/** Instant play (issue 23): a prepared playback holds no stream slot and counts nothing until Play. */
describe.each(backends)('prepared playback on %s', (backend) => {
  let h: Harness;
  let movie: { titleId: string; assetId: string };
  let newer: { titleId: string; assetId: string };
  const basic: Identity = { accountId: 'acc-prep-basic', role: 'viewer', plan: 'basic' };
  const other: Identity = { accountId: 'acc-prep-other', role: 'viewer', plan: 'premium' };

  beforeAll(async () => {
    h = await startStreaming(backend, { playCountIntervalMs: 50 });
    movie = await readyTitle(h, { name: 'Lingered on', maturity: 'PG' });
    // Published after `movie`: with no plays counted it ranks first among the popular.
    newer = await readyTitle(h, { name: 'Newer', maturity: 'PG' });
    h.users.profiles.set('pp-basic', { accountId: basic.accountId, kids: false, maxMaturity: 'NC-17' });
    h.users.profiles.set('pp-other', { accountId: other.accountId, kids: false, maxMaturity: 'NC-17' });
    h.users.profiles.set('pp-kid', { accountId: basic.accountId, kids: true, maxMaturity: 'G' });
  });
  afterAll(() => h?.close());

  const prepare = (who: Identity, profileId: string, titleId: string) =>
    h.as(who)({ method: 'POST', url: '/api/playback/prepare', payload: { profileId, titleId } });
  const startPrepared = (who: Identity, sessionId: string) =>
    h.as(who)({ method: 'POST', url: `/api/playback/${sessionId}/start` });
  const holders = (who: Identity) => h.ctx.cache.leases.holders(leaseKey(who.accountId));
  const sessions = async (who: Identity) =>
    (await h.internal({ method: 'GET', url: `/internal/accounts/${who.accountId}/playback-sessions` })).json<{
      items: { sessionId: string }[];
    }>().items;
  const popularFirst = async () =>
    (await h.internal({ method: 'GET', url: '/internal/popular-assets?limit=1' })).json<{
      items: { titleId: string }[];
    }>().items[0]?.titleId;

  it('prepares without a stream slot, a session, an event or a play, then Play opens it once', async () => {
    const prepared = [];
    for (let i = 0; i < 3; i++) {
      const res = await prepare(basic, 'pp-basic', movie.titleId);
      expect(res.statusCode).toBe(201);
      prepared.push(
        res.json<{ sessionId: string; manifestUrl: string; maxHeight: number; preparedUntil: string }>(),
      );
    }
    const first = prepared[0]!;
    expect(first.maxHeight).toBe(720);
    expect(first.manifestUrl).toContain(`/a/${movie.assetId}/master.m3u8`);
    expect(Date.parse(first.preparedUntil)).toBeGreaterThan(Date.now());
    // Waiting out the play counter's flush: nothing was counted, nothing was leased or written.
    await new Promise((r) => setTimeout(r, 200));
    expect(await holders(basic)).toEqual([]);
    expect(await sessions(basic)).toEqual([]);
    expect(h.published.filter((e) => e.type === 'playback.started')).toEqual([]);
    expect(await popularFirst()).toBe(newer.titleId);
    // Nothing prepared gets a content key: only a started session does (this asset has none at all).
    const key = () =>
      h.as(basic)({ method: 'GET', url: `/api/playback/${first.sessionId}/key?asset=${movie.assetId}` });
    expect((await key()).json()).toMatchObject({ code: 'playback.key_refused' });

    // Play: the same session and manifest URL (what was prefetched stays good), now leased and counted.
    const started = await startPrepared(basic, first.sessionId);
    expect(started.statusCode).toBe(201);
    expect(started.json()).toMatchObject({ sessionId: first.sessionId, manifestUrl: first.manifestUrl });
    expect(await holders(basic)).toEqual([first.sessionId]);
    expect((await sessions(basic)).map((s) => s.sessionId)).toEqual([first.sessionId]);
    await eventually(async () => {
      expect(h.published.some((e) => e.type === 'playback.started' && e.subject === first.sessionId)).toBe(
        true,
      );
      expect(await popularFirst()).toBe(movie.titleId);
    });
    expect((await key()).json()).toMatchObject({ code: 'playback.not_encrypted' });
    // A second Play of the same preparation opens nothing.
    expect((await startPrepared(basic, first.sessionId)).statusCode).toBe(404);

    // The basic plan's one stream is taken: Play on another preparation is refused now, at Play.
    const second = await startPrepared(basic, prepared[1]!.sessionId);
    expect(second.statusCode).toBe(403);
    expect(second.json()).toMatchObject({ code: 'playback.stream_limit' });
    expect(await holders(basic)).toEqual([first.sessionId]);

    expect(
      (
        await h.as(basic)({
          method: 'DELETE',
          url: `/api/playback/${first.sessionId}`,
          payload: { position: 3 },
        })
      ).statusCode,
    ).toBe(204);
    expect((await startPrepared(basic, prepared[2]!.sessionId)).statusCode).toBe(201);
    await h.as(basic)({ method: 'DELETE', url: `/api/playback/${prepared[2]!.sessionId}` });
  });

  it("refuses another account's preparation, an unknown one, and what a start would refuse", async () => {
    const mine = (await prepare(other, 'pp-other', movie.titleId)).json<{ sessionId: string }>();
    const foreign = await startPrepared(basic, mine.sessionId);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['content-type']).toContain('application/problem+json');
    expect(await holders(basic)).toEqual([]);
    // The owner can still play it: the foreign attempt did not use it up.
    expect((await startPrepared(other, mine.sessionId)).statusCode).toBe(201);
    await h.as(other)({ method: 'DELETE', url: `/api/playback/${mine.sessionId}` });

    expect((await startPrepared(basic, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    const kid = await prepare(basic, 'pp-kid', movie.titleId);
    expect(kid.statusCode).toBe(403);
    expect(kid.json()).toMatchObject({ code: 'playback.maturity' });
    expect((await prepare(basic, 'pp-other', movie.titleId)).json()).toMatchObject({
      code: 'playback.profile_not_owned',
    });
    const bad = await h.as(basic)({
      method: 'POST',
      url: '/api/playback/prepare',
      payload: { profileId: 'pp-basic' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const doc = (await h.internal({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/playback/prepare', '/api/playback/{sessionId}/start']),
    );
  });

  it('refuses a preparation that lapsed or whose plan changed', async () => {
    const prepared = (await prepare(basic, 'pp-basic', newer.titleId)).json<{ sessionId: string }>();
    const upgraded = await startPrepared({ ...basic, plan: 'premium' }, prepared.sessionId);
    expect(upgraded.statusCode).toBe(404);
    // Lapsing is the cache's TTL; dropping the entry is what the TTL does.
    await h.ctx.cache.delete(`streaming:prepared:${prepared.sessionId}`);
    expect((await startPrepared(basic, prepared.sessionId)).statusCode).toBe(404);
    expect(await holders(basic)).toEqual([]);
  });
});
