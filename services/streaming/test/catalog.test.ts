import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendAvailable } from '@marquee/platform/testing';
import {
  admin,
  encodeAsset,
  eventually,
  readyTitle,
  startStreaming,
  type Backend,
  type Harness,
} from './harness.js';

const backends: Backend[] = ['embedded'];
if ((await backendAvailable('postgres')) && (await backendAvailable('redis'))) backends.push('postgres');

const viewer = { accountId: 'acc-1', role: 'viewer' as const, plan: 'premium' as const };

describe.each(backends)('streaming catalog on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startStreaming(backend);
  });
  afterAll(() => h?.close());

  it('lets only admins create titles, and validates them', async () => {
    const body = {
      type: 'movie',
      name: 'Heat',
      year: 1995,
      maturity: 'R',
      genres: ['Crime', 'crime ', 'Drama'],
    };
    expect((await h.as(viewer)({ method: 'POST', url: '/api/admin/titles', payload: body })).statusCode).toBe(
      403,
    );
    expect((await h.internal({ method: 'POST', url: '/api/admin/titles', payload: body })).statusCode).toBe(
      401,
    );
    const bad = await h.as(admin)({
      method: 'POST',
      url: '/api/admin/titles',
      payload: { ...body, maturity: 'X' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');

    const created = await h.as(admin)({ method: 'POST', url: '/api/admin/titles', payload: body });
    expect(created.statusCode).toBe(201);
    const { titleId } = created.json<{ titleId: string }>();
    const title = await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${titleId}` });
    expect(title.json()).toMatchObject({
      titleId,
      type: 'movie',
      name: 'Heat',
      maturity: 'R',
      genres: ['crime', 'drama'],
      published: false,
      asset: null,
    });
  });

  it('follows an asset from upload to ready, idempotently and never backwards', async () => {
    const { titleId } = (
      await h.as(admin)({
        method: 'POST',
        url: '/api/admin/titles',
        payload: { type: 'movie', name: 'Arrival', year: 2016, maturity: 'PG-13', genres: ['sci-fi'] },
      })
    ).json<{ titleId: string }>();
    const register = () =>
      h.internal({
        method: 'POST',
        url: `/internal/titles/${titleId}/assets`,
        payload: { uploadId: 'u-1', filename: 'a.mp4' },
      });
    const first = await register();
    expect(first.statusCode).toBe(201);
    const { assetId } = first.json<{ assetId: string }>();
    expect((await register()).json()).toEqual({ assetId }); // a retried tus create gets the same asset
    const state = async () =>
      (await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${titleId}` })).json<{
        asset: { state: string; progress: number; renditions: unknown[]; reason: string | null };
      }>().asset;
    expect(await state()).toMatchObject({ state: 'uploading', progress: 0 });

    const data = { assetId, titleId };
    await h.ctx.bus.publish({
      type: 'media.uploaded',
      source: 'storage',
      data: {
        ...data,
        key: `sources/${assetId}/source.mp4`,
        filename: 'a.mp4',
        size: 10,
        sha256: 'a'.repeat(64),
      },
    });
    await eventually(async () => expect(await state()).toMatchObject({ state: 'queued' }));
    await h.ctx.bus.publish({
      type: 'media.encoding.progress',
      source: 'encoder',
      data: { ...data, progress: 0.5, stage: 'encode' },
    });
    await eventually(async () => expect(await state()).toMatchObject({ state: 'encoding', progress: 0.5 }));
    const encoded = {
      type: 'media.encoded',
      source: 'encoder',
      data: {
        ...data,
        renditions: [{ height: 720, width: 1280, bandwidth: 3e6, codecs: 'avc1.64001f,mp4a.40.2' }],
        durationSeconds: 42,
      },
    };
    await h.ctx.bus.publish([encoded, encoded]);
    // A late progress event and a late failure change nothing.
    await h.ctx.bus.publish({
      type: 'media.encoding.progress',
      source: 'encoder',
      data: { ...data, progress: 0.9, stage: 'encode' },
    });
    await h.ctx.bus.publish({
      type: 'media.encoding.failed',
      source: 'encoder',
      data: { ...data, reason: 'late' },
    });
    await eventually(async () =>
      expect(await state()).toMatchObject({
        state: 'ready',
        progress: 1,
        reason: null,
        renditions: [{ height: 720, bandwidth: 3e6, codecs: 'avc1.64001f,mp4a.40.2' }],
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await state()).toMatchObject({ state: 'ready' });
    await eventually(async () => {
      const events = h.published.filter(
        (e) => e.type === 'title.published' && (e.data as { titleId: string }).titleId === titleId,
      );
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({
        titleId,
        assetId,
        name: 'Arrival',
        maturity: 'PG-13',
        genres: ['sci-fi'],
        year: 2016,
      });
    });
  });

  it('fails an asset with the encoder’s reason', async () => {
    const { titleId } = (
      await h.as(admin)({
        method: 'POST',
        url: '/api/admin/titles',
        payload: { type: 'movie', name: 'Broken', year: 2000, maturity: 'G' },
      })
    ).json<{ titleId: string }>();
    const { assetId } = (
      await h.internal({ method: 'POST', url: `/internal/titles/${titleId}/assets`, payload: {} })
    ).json<{
      assetId: string;
    }>();
    await h.ctx.bus.publish({
      type: 'media.encoding.failed',
      source: 'encoder',
      data: { assetId, titleId, reason: 'The file has no video stream' },
    });
    await eventually(async () => {
      const res = await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${titleId}` });
      expect(res.json()).toMatchObject({
        asset: { state: 'failed', reason: 'The file has no video stream' },
        published: false,
      });
    });
  });

  it('refuses uploads for unknown titles and for a series itself', async () => {
    expect(
      (await h.internal({ method: 'POST', url: '/internal/titles/nope/assets', payload: {} })).statusCode,
    ).toBe(404);
    const { titleId } = (
      await h.as(admin)({
        method: 'POST',
        url: '/api/admin/titles',
        payload: { type: 'series', name: 'S', year: 2000, maturity: 'G' },
      })
    ).json<{ titleId: string }>();
    expect(
      (await h.internal({ method: 'POST', url: `/internal/titles/${titleId}/assets`, payload: {} }))
        .statusCode,
    ).toBe(400);
    expect((await h.internal({ method: 'GET', url: `/internal/titles/${titleId}` })).json()).toMatchObject({
      type: 'series',
    });
  });

  it('shows viewers only ready titles, with typo-tolerant search, genres and pages', async () => {
    await readyTitle(h, {
      name: 'Stranger Things Happen',
      genres: ['horror', 'drama'],
      synopsis: 'A town and a lab',
    });
    await readyTitle(h, { name: 'The Crown Jewels', genres: ['drama'] });
    await h.as(admin)({
      method: 'POST',
      url: '/api/admin/titles',
      payload: { type: 'movie', name: 'Stranger Unreleased', year: 2030, maturity: 'G' },
    });
    const list = async (query: string) =>
      (await h.as(viewer)({ method: 'GET', url: `/api/titles${query}` })).json<{
        items: { name: string; posterUrl: string | null }[];
        nextCursor: string | null;
      }>();
    expect((await list('?q=strnger%20thngs')).items.map((t) => t.name)).toEqual(['Stranger Things Happen']);
    expect((await list('?q=crwn')).items.map((t) => t.name)).toEqual(['The Crown Jewels']);
    expect((await list('?q=stranger')).items.map((t) => t.name)).not.toContain('Stranger Unreleased');
    expect((await list('?q=zzzzqqq')).items).toEqual([]);
    expect((await list('?genre=horror')).items.map((t) => t.name)).toEqual(['Stranger Things Happen']);
    const poster = (await list('?q=crown')).items[0]!.posterUrl;
    expect(poster).toMatch(/^http:\/\/127\.0\.0\.1:1900\d\/t\/[^/]+\/a\/[^/]+\/poster\.jpg$/);

    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(1);
      names.push(...page.items.map((t) => t.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['Arrival', 'Stranger Things Happen', 'The Crown Jewels']));
    expect(names).not.toContain('Stranger Unreleased');
    expect((await h.as(viewer)({ method: 'GET', url: '/api/titles?cursor=%%%' })).statusCode).toBe(400);
  });

  it('gives other services titles by id in one call, with the same posterUrl as the viewer listing', async () => {
    const { titleId: shown } = await readyTitle(h, { name: 'Poster Child', genres: ['drama'] });
    const { titleId: hidden } = (
      await h.as(admin)({
        method: 'POST',
        url: '/api/admin/titles',
        payload: { type: 'movie', name: 'Not Yet', year: 2030, maturity: 'G' },
      })
    ).json<{ titleId: string }>();
    const listed = (await h.as(viewer)({ method: 'GET', url: '/api/titles?q=poster%20child' })).json<{
      items: { titleId: string; posterUrl: string | null }[];
    }>().items;
    const res = await h.internal({ method: 'GET', url: `/internal/titles?ids=${hidden},${shown},nope` });
    expect(res.statusCode).toBe(200);
    const { items } = res.json<{ items: { titleId: string; posterUrl: string | null }[] }>();
    expect(items.map((t) => t.titleId)).toEqual([shown]); // published titles only
    expect(items[0]!.posterUrl).toMatch(/\/poster\.jpg$/);
    expect(items[0]!.posterUrl).toBe(listed.find((t) => t.titleId === shown)!.posterUrl);
  });

  it('filters by the profile’s maturity ceiling; another account’s profile is an unknown one', async () => {
    await readyTitle(h, { name: 'Grown Up Movie', maturity: 'R' });
    h.users.profiles.set('kid-1', { accountId: 'acc-1', kids: true, maxMaturity: 'PG' });
    h.users.profiles.set('adult-1', { accountId: 'acc-1', kids: false, maxMaturity: 'NC-17' });
    const names = async (profileId: string) =>
      (await h.as(viewer)({ method: 'GET', url: `/api/titles?profileId=${profileId}&limit=100` }))
        .json<{ items: { name: string }[] }>()
        .items.map((t) => t.name);
    expect(await names('adult-1')).toContain('Grown Up Movie');
    expect(await names('kid-1')).not.toContain('Grown Up Movie');
    // Issue 20 item 7: 403 for another account's profile and 404 for an unknown id told them apart.
    const asOther = h.as({ ...viewer, accountId: 'acc-2' });
    const foreign = await asOther({ method: 'GET', url: '/api/titles?profileId=kid-1' });
    const unknown = await asOther({ method: 'GET', url: '/api/titles?profileId=no-such-profile' });
    expect(foreign.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    const body = (res: typeof foreign) => ({ ...res.json<object>(), detail: 'x', id: 'x', instance: 'x' });
    expect(body(foreign)).toEqual(body(unknown));
  });

  it('lists, without a profile, nothing above the account’s most permissive profile', async () => {
    await readyTitle(h, { name: 'Late Night Thriller', maturity: 'R' });
    h.users.profiles.set('only-kid', { accountId: 'acc-kids', kids: true, maxMaturity: 'PG' });
    const asKids = h.as({ ...viewer, accountId: 'acc-kids' });
    const listed = (await asKids({ method: 'GET', url: '/api/titles?limit=100' })).json<{
      items: { name: string; maturity: string }[];
    }>();
    expect(listed.items.map((t) => t.name)).not.toContain('Late Night Thriller');
    expect(listed.items.every((t) => ['G', 'PG'].includes(t.maturity))).toBe(true);
    const late = listed.items.length;
    h.users.profiles.set('grown-up', { accountId: 'acc-grown', kids: false, maxMaturity: 'R' });
    const asGrown = h.as({ ...viewer, accountId: 'acc-grown' });
    const all = (await asGrown({ method: 'GET', url: '/api/titles?limit=100' })).json<{
      items: { name: string }[];
    }>();
    expect(all.items.map((t) => t.name)).toContain('Late Night Thriller');
    expect(all.items.length).toBeGreaterThan(late);
  });

  it('shows a series with its published episodes by season, and publishes the series once', async () => {
    const { titleId: seriesId } = (
      await h.as(admin)({
        method: 'POST',
        url: '/api/admin/titles',
        payload: { type: 'series', name: 'Dark Waters', year: 2021, maturity: 'PG-13', genres: ['mystery'] },
      })
    ).json<{ titleId: string }>();
    const episode = async (season: number, number: number) =>
      h.as(admin)({
        method: 'POST',
        url: `/api/admin/titles/${seriesId}/episodes`,
        payload: { season, number, name: `S${season}E${number}` },
      });
    const e2 = (await episode(1, 2)).json<{ titleId: string }>().titleId;
    const e1 = (await episode(1, 1)).json<{ titleId: string }>().titleId;
    const e3 = (await episode(2, 1)).json<{ titleId: string }>().titleId;
    expect((await episode(1, 1)).statusCode).toBe(409);
    expect((await h.as(viewer)({ method: 'GET', url: `/api/titles/${seriesId}` })).statusCode).toBe(404);
    await encodeAsset(h, e2);
    await encodeAsset(h, e1);
    const detail = (await h.as(viewer)({ method: 'GET', url: `/api/titles/${seriesId}` })).json<{
      type: string;
      seasons: { season: number; episodes: { titleId: string; number: number; durationSeconds: number }[] }[];
    }>();
    expect(detail.type).toBe('series');
    expect(detail.seasons).toHaveLength(1);
    expect(detail.seasons[0]!.episodes.map((e) => e.titleId)).toEqual([e1, e2]);
    expect(detail.seasons[0]!.episodes[0]!.durationSeconds).toBe(60);
    await encodeAsset(h, e3);
    const after = (await h.as(viewer)({ method: 'GET', url: `/api/titles/${seriesId}` })).json<{
      seasons: unknown[];
    }>();
    expect(after.seasons).toHaveLength(2);
    await eventually(async () => {
      const events = h.published.filter(
        (e) => e.type === 'title.published' && (e.data as { titleId: string }).titleId === seriesId,
      );
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({ kind: 'series' });
      // An episode names its series, so recommendation rows can show the series instead.
      const episodeEvent = h.published.find(
        (e) => e.type === 'title.published' && (e.data as { titleId: string }).titleId === e1,
      );
      expect(episodeEvent?.data).toMatchObject({ kind: 'episode', seriesId });
    });
    const adminView = (await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${seriesId}` })).json<{
      episodes: { season: number; number: number; asset: { state: string } }[];
    }>();
    expect(adminView.episodes.map((e) => [e.season, e.number, e.asset.state])).toEqual([
      [1, 1, 'ready'],
      [1, 2, 'ready'],
      [2, 1, 'ready'],
    ]);
  });

  it('lists titles for the console and answers fallback rows and popular assets', async () => {
    const page = (await h.as(admin)({ method: 'GET', url: '/api/admin/titles?limit=2' })).json<{
      items: unknown[];
      nextCursor: string | null;
    }>();
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    const rows = (await h.internal({ method: 'GET', url: '/internal/home-fallback?maxMaturity=PG' })).json<{
      rows: { id: string; items: { maturity: string }[] }[];
    }>().rows;
    expect(rows[0]!.id).toBe('popular');
    expect(rows.some((r) => r.id === 'genre:drama')).toBe(true);
    expect(rows.flatMap((r) => r.items).every((t) => ['G', 'PG'].includes(t.maturity))).toBe(true);
    const popular = (await h.internal({ method: 'GET', url: '/internal/popular-assets?limit=3' })).json<{
      items: unknown[];
    }>();
    expect(popular.items).toHaveLength(3);
  });
});
