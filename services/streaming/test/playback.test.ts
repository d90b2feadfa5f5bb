import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaKeyring, type Identity } from '@marquee/core';
import { backendAvailable } from '@marquee/platform/testing';
import {
  admin,
  EDGE_URLS,
  eventually,
  encodeAsset,
  readyTitle,
  startStreaming,
  type Backend,
  type Harness,
} from './harness.js';

const backends: Backend[] = ['embedded'];
if ((await backendAvailable('postgres')) && (await backendAvailable('redis'))) backends.push('postgres');

const LEASE_MS = 400;

describe.each(backends)('playback on %s', (backend) => {
  let h: Harness;
  let movie: { titleId: string; assetId: string };
  let rated: { titleId: string; assetId: string };
  const basic: Identity = { accountId: 'acc-basic', role: 'viewer', plan: 'basic' };
  const premium: Identity = { accountId: 'acc-premium', role: 'viewer', plan: 'premium' };

  beforeAll(async () => {
    h = await startStreaming(backend, { leaseTtlMs: LEASE_MS, playCountIntervalMs: 50 });
    movie = await readyTitle(h, { name: 'Playable', maturity: 'PG' });
    rated = await readyTitle(h, { name: 'Rated R', maturity: 'R' });
    h.users.profiles.set('p-basic', { accountId: 'acc-basic', kids: false, maxMaturity: 'NC-17' });
    h.users.profiles.set('p-premium', { accountId: 'acc-premium', kids: false, maxMaturity: 'NC-17' });
    h.users.profiles.set('p-kid', { accountId: 'acc-premium', kids: true, maxMaturity: 'PG' });
    h.users.history.set(`p-premium/${movie.titleId}`, { position: 42.5, completed: false });
  });
  afterAll(() => h?.close());

  const start = (who: Identity, profileId: string, titleId: string) =>
    h.as(who)({ method: 'POST', url: '/api/playback', payload: { profileId, titleId } });
  const stop = (who: Identity, sessionId: string) =>
    h.as(who)({ method: 'DELETE', url: `/api/playback/${sessionId}`, payload: { position: 10 } });

  it('starts a session with a signed manifest URL on an edge and the resume position', async () => {
    const res = await start(premium, 'p-premium', movie.titleId);
    expect(res.statusCode).toBe(201);
    const body = res.json<{
      sessionId: string;
      manifestUrl: string;
      edges: { edgeId: string; url: string }[];
      resumeAt: number;
      expiresAt: string;
      maxHeight: number;
    }>();
    expect(body).toMatchObject({ resumeAt: 42.5, maxHeight: 2160 });
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now() + 3 * 3_600_000);
    // No edge has reported yet: the configured edges stand in.
    expect(body.edges.map((e) => e.url)).toEqual(EDGE_URLS);
    const match = /^(http:\/\/[^/]+)\/t\/([^/]+)\/a\/([^/]+)\/master\.m3u8$/.exec(body.manifestUrl);
    expect(match?.[1]).toBe(EDGE_URLS[0]);
    expect(match?.[3]).toBe(movie.assetId);
    const check = createMediaKeyring({ secret: h.ctx.secret }).verify(match![2]!);
    expect(check).toMatchObject({
      ok: true,
      payload: { asset: movie.assetId, session: body.sessionId, maxHeight: 2160 },
    });
    await eventually(async () =>
      expect(
        h.published.find((e) => e.type === 'playback.started' && e.subject === body.sessionId)?.data,
      ).toMatchObject({
        sessionId: body.sessionId,
        accountId: 'acc-premium',
        profileId: 'p-premium',
        titleId: movie.titleId,
        position: 42.5,
        duration: 60,
      }),
    );
    expect((await stop(premium, body.sessionId)).statusCode).toBe(204);
  });

  it('caps the token height at the plan and holds basic to one stream until a stop or a lapse', async () => {
    const first = await start(basic, 'p-basic', movie.titleId);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ maxHeight: 720, resumeAt: 0 });
    const second = await start(basic, 'p-basic', movie.titleId);
    expect(second.statusCode).toBe(403);
    expect(second.json()).toMatchObject({
      type: 'urn:marquee:problem:playback.stream_limit',
      code: 'playback.stream_limit',
    });
    expect(second.headers['content-type']).toContain('application/problem+json');

    // A heartbeat keeps the slot past its first lease…
    const { sessionId } = first.json<{ sessionId: string }>();
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, LEASE_MS / 2));
      const beat = await h.as(basic)({
        method: 'POST',
        url: `/api/playback/${sessionId}/heartbeat`,
        payload: { position: 5 + i },
      });
      expect(beat.statusCode).toBe(200);
    }
    expect((await start(basic, 'p-basic', movie.titleId)).statusCode).toBe(403);
    // …and a crashed player (no heartbeats) frees it when the lease lapses.
    await new Promise((r) => setTimeout(r, LEASE_MS + 100));
    const third = await start(basic, 'p-basic', movie.titleId);
    expect(third.statusCode).toBe(201);
    // The lapsed session is ended by the start that took its slot: its playback.stopped makes every edge
    // refuse its media URLs (else start-and-abandon outran the one-stream limit), and it cannot resume.
    await eventually(async () => {
      const ended = h.published.filter((e) => e.subject === sessionId && e.type === 'playback.stopped');
      expect(ended).toHaveLength(1);
      // Marked lapsed, so users does not let its old position override a newer session's.
      expect(ended[0]!.data).toMatchObject({ lapsed: true });
    });
    const late = await h.as(basic)({
      method: 'POST',
      url: `/api/playback/${sessionId}/heartbeat`,
      payload: { position: 9 },
    });
    expect(late.json()).toMatchObject({ code: 'playback.session_ended' });
    // A stop frees the slot at once.
    expect((await stop(basic, third.json<{ sessionId: string }>().sessionId)).statusCode).toBe(204);
    const fourth = await start(basic, 'p-basic', movie.titleId);
    expect(fourth.statusCode).toBe(201);
    await stop(basic, fourth.json<{ sessionId: string }>().sessionId);
  });

  it('refuses with a stable type per reason', async () => {
    const refusal = async (res: Awaited<ReturnType<typeof start>>) => [
      res.statusCode,
      res.json<{ code: string }>().code,
    ];
    expect(await refusal(await start(premium, 'p-kid', rated.titleId))).toEqual([403, 'playback.maturity']);
    expect(await refusal(await start(basic, 'p-premium', movie.titleId))).toEqual([
      403,
      'playback.profile_not_owned',
    ]);
    expect(await refusal(await start(basic, 'p-unknown', movie.titleId))).toEqual([
      403,
      'playback.profile_not_owned',
    ]);
    const pending = (
      await h.as(admin)({
        method: 'POST',
        url: '/api/admin/titles',
        payload: { type: 'movie', name: 'Soon', year: 2030, maturity: 'G' },
      })
    ).json<{ titleId: string }>().titleId;
    expect(await refusal(await start(premium, 'p-premium', pending))).toEqual([403, 'playback.not_ready']);
    expect((await start(premium, 'p-premium', 'missing')).statusCode).toBe(404);
    expect(
      (await h.internal({ method: 'POST', url: '/api/playback', payload: { profileId: 'p', titleId: 't' } }))
        .statusCode,
    ).toBe(401);
  });

  it('records heartbeats and stops once, and refuses other accounts', async () => {
    const { sessionId } = (await start(premium, 'p-premium', movie.titleId)).json<{ sessionId: string }>();
    const beat = await h.as(premium)({
      method: 'POST',
      url: `/api/playback/${sessionId}/heartbeat`,
      payload: { position: 12 },
    });
    expect(beat.json<{ leaseExpiresAt: string }>().leaseExpiresAt).toBeDefined();
    const foreign = await h.as(basic)({
      method: 'POST',
      url: `/api/playback/${sessionId}/heartbeat`,
      payload: { position: 1 },
    });
    expect(foreign.statusCode).toBe(404);
    expect((await stop(premium, sessionId)).statusCode).toBe(204);
    // A second stop, without a body (a closing tab), is harmless.
    expect((await h.as(premium)({ method: 'DELETE', url: `/api/playback/${sessionId}` })).statusCode).toBe(
      204,
    );
    const after = await h.as(premium)({
      method: 'POST',
      url: `/api/playback/${sessionId}/heartbeat`,
      payload: { position: 13 },
    });
    expect(after.json()).toMatchObject({ code: 'playback.session_ended' });
    await eventually(async () => {
      const mine = h.published.filter((e) => e.subject === sessionId);
      expect(mine.map((e) => e.type)).toEqual(['playback.started', 'playback.heartbeat', 'playback.stopped']);
      expect(mine[1]!.data).toMatchObject({ position: 12 });
      expect(mine[2]!.data).toMatchObject({ position: 10 });
    });
  });

  it('resumes where the last session reported, before users has heard of it (a reload mid-play)', async () => {
    h.users.history.set(`p-premium/${rated.titleId}`, { position: 9, completed: false });
    const first = await start(premium, 'p-premium', rated.titleId);
    expect(first.json()).toMatchObject({ resumeAt: 9 });
    const { sessionId } = first.json<{ sessionId: string }>();
    await h.as(premium)({
      method: 'POST',
      url: `/api/playback/${sessionId}/heartbeat`,
      payload: { position: 31 },
    });
    // users' history still says 9: the heartbeat reaches it later, through an event.
    const reload = await start(premium, 'p-premium', rated.titleId);
    expect(reload.json()).toMatchObject({ resumeAt: 31 });
    await stop(premium, sessionId);
    await stop(premium, reload.json<{ sessionId: string }>().sessionId); // stopped at 10
    h.users.setDown(true);
    try {
      const again = await start(premium, 'p-premium', rated.titleId);
      expect(again.json()).toMatchObject({ resumeAt: 10 }); // streaming's own record, users down or not
      await stop(premium, again.json<{ sessionId: string }>().sessionId);
    } finally {
      h.users.setDown(false);
    }
  });

  it('plays a series at the episode to resume, else the next, else the first (Play on the home hero)', async () => {
    const series = (
      await h.as(admin)({
        method: 'POST',
        url: '/api/admin/titles',
        payload: { type: 'series', name: 'Harbor Lights', year: 2024, maturity: 'PG' },
      })
    ).json<{ titleId: string }>().titleId;
    const episodes: string[] = [];
    for (const number of [1, 2, 3]) {
      const ep = await h.as(admin)({
        method: 'POST',
        url: `/api/admin/titles/${series}/episodes`,
        payload: { season: 1, number, name: `Episode ${number}` },
      });
      episodes.push(ep.json<{ titleId: string }>().titleId);
      await encodeAsset(h, episodes.at(-1)!);
    }
    const play = async () => {
      const res = await start(premium, 'p-premium', series);
      expect(res.statusCode).toBe(201);
      const body = res.json<{ sessionId: string; titleId: string; resumeAt: number }>();
      await stop(premium, body.sessionId);
      return body;
    };
    expect((await play()).titleId).toBe(episodes[0]); // never watched: S1:E1
    h.users.history.set(`p-premium/${episodes[1]}`, { position: 20, completed: false });
    expect(await play()).toMatchObject({ titleId: episodes[1], resumeAt: 20 }); // resume S1:E2
    h.users.history.delete(`p-premium/${episodes[1]}`);
    h.users.history.set(`p-premium/${episodes[1]}`, { position: 59, completed: true });
    expect((await play()).titleId).toBe(episodes[2]); // S1:E2 finished: S1:E3
  });

  it('starts from 0 when users cannot say where the viewer stopped', async () => {
    const unseen = await readyTitle(h, { name: 'Never played', maturity: 'PG' });
    h.users.history.set(`p-premium/${unseen.titleId}`, { position: 99, completed: false });
    h.users.setDown(true);
    try {
      const res = await start(premium, 'p-premium', unseen.titleId);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ resumeAt: 0 });
      await stop(premium, res.json<{ sessionId: string }>().sessionId);
    } finally {
      h.users.setDown(false);
    }
  });

  it('ranks titles by playback starts for the popular rows and edge pre-fill', async () => {
    await eventually(async () => {
      const popular = (await h.internal({ method: 'GET', url: '/internal/popular-assets?limit=2' })).json<{
        items: { titleId: string; assetId: string }[];
      }>();
      expect(popular.items[0]).toEqual({ titleId: movie.titleId, assetId: movie.assetId });
    });
  });

  it('ranks reporting edges in the playback answer and re-ranks them in the steering manifest', async () => {
    const report = (edgeId: string, url: string, over: Record<string, unknown> = {}) =>
      h.internal({
        method: 'POST',
        url: '/internal/edges/heartbeat',
        payload: { edgeId, url, healthy: true, load: 0.1, assets: [], ...over },
      });
    const first = await report('edge-a', 'http://127.0.0.1:29001', { load: 0.5 });
    expect(first.json()).toMatchObject({
      edges: [{ edgeId: 'edge-a', url: 'http://127.0.0.1:29001' }],
      steeringBaseUrl: 'http://127.0.0.1:8080/api/steering',
    });
    await report('edge-b', 'http://127.0.0.1:29002', { load: 0.4, assets: [movie.assetId] });
    await new Promise((r) => setTimeout(r, 1_100)); // the directory is memoised for a second
    const started = (await start(premium, 'p-premium', movie.titleId)).json<{
      sessionId: string;
      manifestUrl: string;
      edges: { edgeId: string }[];
    }>();
    expect(started.edges.map((e) => e.edgeId)).toEqual(['edge-b', 'edge-a']);
    expect(started.manifestUrl.startsWith('http://127.0.0.1:29002/t/')).toBe(true);

    const steering = async (pathway?: string) => {
      const res = await h.internal({
        method: 'GET',
        url: `/api/steering/${started.sessionId}${pathway ? `?_HLS_pathway=${pathway}&_HLS_throughput=1000` : ''}`,
      });
      expect(res.headers['cache-control']).toBe('no-store');
      return res.json<{ VERSION: number; TTL: number; 'PATHWAY-PRIORITY': string[] }>();
    };
    expect(await steering()).toEqual({ VERSION: 1, TTL: 5, 'PATHWAY-PRIORITY': ['edge-b', 'edge-a'] });
    // edge-b reports itself unhealthy, then edge-a leaves: each change shows within a memo period.
    await report('edge-b', 'http://127.0.0.1:29002', { healthy: false });
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await steering('edge-b'))['PATHWAY-PRIORITY']).toEqual(['edge-a']);
    await report('edge-b', 'http://127.0.0.1:29002', {
      load: 0.3,
      hitRatio: { ram: 0.75, disk: 0.5, total: 0.875, bytes: 0.9, originBytes: 1_048_576 },
    });
    expect((await h.internal({ method: 'DELETE', url: '/internal/edges/edge-a' })).statusCode).toBe(204);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await steering('edge-a'))['PATHWAY-PRIORITY']).toEqual(['edge-b']);
    await stop(premium, started.sessionId);
    expect((await h.internal({ method: 'GET', url: `/api/steering/${started.sessionId}` })).statusCode).toBe(
      404,
    );
    const edgesView = (await h.as(admin)({ method: 'GET', url: '/api/admin/edges' })).json<{
      items: { edgeId: string; live: boolean; heldAssets: number }[];
    }>();
    expect(edgesView.items).toEqual([
      expect.objectContaining({
        edgeId: 'edge-b',
        live: true,
        heldAssets: 0,
        hitRatio: { ram: 0.75, disk: 0.5, total: 0.875, bytes: 0.9, originBytes: 1_048_576 },
      }),
    ]);
    const bad = await report('edge-b', 'http://127.0.0.1:29002', { hitRatio: { ram: 2, disk: 0, total: 0 } });
    expect(bad.statusCode).toBe(400);
    expect((await h.as(premium)({ method: 'GET', url: '/api/admin/edges' })).statusCode).toBe(403);
  });
});
