import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWholeBlob, type CloudEvent } from '@marquee/platform';
import { backendAvailable } from '@marquee/platform/testing';
import {
  admin,
  encodeAsset,
  eventually,
  LADDER,
  readyTitle,
  startStreaming,
  type Backend,
  type Harness,
} from './harness.js';

const backends: Backend[] = ['embedded'];
if ((await backendAvailable('postgres')) && (await backendAvailable('redis'))) backends.push('postgres');

const viewer = { accountId: 'acc-edit', role: 'viewer' as const, plan: 'premium' as const };
// The smallest valid PNG: a 1×1 transparent pixel.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

describe.each(backends)('editing titles (issue 22 item 11) on %s', (backend) => {
  let h: Harness;
  const deleted: CloudEvent[] = [];
  beforeAll(async () => {
    h = await startStreaming(backend);
    await h.ctx.bus.subscribe({
      group: 'test-deleted',
      types: ['title.deleted'],
      handler: async ({ event }) => void deleted.push(event),
    });
    h.users.profiles.set('p-edit', { accountId: viewer.accountId, kids: false, maxMaturity: 'NC-17' });
  });
  afterAll(() => h?.close());

  const detail = (titleId: string) => h.as(viewer)({ method: 'GET', url: `/api/titles/${titleId}` });
  const search = async (q: string) =>
    (await h.as(viewer)({ method: 'GET', url: `/api/titles?q=${encodeURIComponent(q)}` })).json<{
      items: { titleId: string; name: string }[];
    }>().items;

  it('edits metadata (search and genres follow), admins only, with problem+json for bad input', async () => {
    const { titleId } = await readyTitle(h, { name: 'Zanzibar Nights', genres: ['drama'] });
    const patch = (who: typeof admin | typeof viewer, payload: Record<string, unknown>) =>
      h.as(who)({ method: 'PATCH', url: `/api/admin/titles/${titleId}`, payload });
    expect((await patch(viewer, { name: 'Hijacked' })).statusCode).toBe(403);
    const bad = await patch(admin, { maturity: 'X' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await patch(admin, {})).statusCode).toBe(400);
    expect((await patch(admin, { unknown: 1 })).statusCode).toBe(400);
    expect(
      (await h.as(admin)({ method: 'PATCH', url: '/api/admin/titles/nope', payload: { name: 'x' } }))
        .statusCode,
    ).toBe(404);

    const ok = await patch(admin, {
      name: 'Kilimanjaro Mornings',
      synopsis: 'Sunrise over the mountain',
      year: 2001,
      maturity: 'PG-13',
      genres: ['Documentary'],
    });
    expect(ok.statusCode).toBe(204);
    expect((await detail(titleId)).json()).toMatchObject({
      name: 'Kilimanjaro Mornings',
      synopsis: 'Sunrise over the mountain',
      year: 2001,
      maturity: 'PG-13',
      genres: ['documentary'],
    });
    expect((await search('kilimanjaro')).map((t) => t.titleId)).toContain(titleId);
    expect((await search('zanzibar')).map((t) => t.titleId)).not.toContain(titleId);
    const byGenre = await h.as(viewer)({ method: 'GET', url: '/api/titles?genre=documentary' });
    expect(byGenre.json<{ items: { titleId: string }[] }>().items.map((t) => t.titleId)).toContain(titleId);
    // The recommender learns the new name from title.published, said again after the edit.
    await eventually(async () =>
      expect(
        h.published.some(
          (e) => e.type === 'title.published' && (e.data as { name: string }).name === 'Kilimanjaro Mornings',
        ),
      ).toBe(true),
    );
  });

  it('unpublishes a series with its episodes: hidden, not playable, and not re-published by a new encode', async () => {
    const created = await h.as(admin)({
      method: 'POST',
      url: '/api/admin/titles',
      payload: { type: 'series', name: 'Withdrawn Show', year: 2020, maturity: 'PG' },
    });
    const seriesId = created.json<{ titleId: string }>().titleId;
    const episode = await h.as(admin)({
      method: 'POST',
      url: `/api/admin/titles/${seriesId}/episodes`,
      payload: { season: 1, number: 1, name: 'Pilot' },
    });
    const episodeId = episode.json<{ titleId: string }>().titleId;
    await encodeAsset(h, episodeId);
    expect((await detail(seriesId)).statusCode).toBe(200);

    const hide = await h.as(admin)({
      method: 'PATCH',
      url: `/api/admin/titles/${seriesId}`,
      payload: { published: false },
    });
    expect(hide.statusCode).toBe(204);
    expect((await detail(seriesId)).statusCode).toBe(404);
    expect((await detail(episodeId)).statusCode).toBe(404);
    const play = await h.as(viewer)({
      method: 'POST',
      url: '/api/playback',
      payload: { profileId: 'p-edit', titleId: episodeId },
    });
    expect(play.statusCode).toBe(404);
    const admins = await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${seriesId}` });
    expect(admins.json()).toMatchObject({ published: false, episodes: [{ published: false }] });

    // A replacement upload finishing while unpublished must not bring it back.
    const second = await h.internal({
      method: 'POST',
      url: `/internal/titles/${episodeId}/assets`,
      payload: { uploadId: `second-${episodeId}`, filename: 'v2.mp4' },
    });
    const secondAsset = second.json<{ assetId: string }>().assetId;
    await h.ctx.bus.publish({
      type: 'media.encoded',
      source: 'encoder',
      data: { assetId: secondAsset, titleId: episodeId, renditions: LADDER, durationSeconds: 60 },
    });
    await eventually(async () => {
      const res = await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${episodeId}` });
      expect(res.json()).toMatchObject({ asset: { assetId: secondAsset, state: 'ready' } });
    });
    expect((await detail(episodeId)).statusCode).toBe(404);
    expect((await detail(seriesId)).statusCode).toBe(404);

    const show = await h.as(admin)({
      method: 'PATCH',
      url: `/api/admin/titles/${seriesId}`,
      payload: { published: true },
    });
    expect(show.statusCode).toBe(204);
    expect((await detail(seriesId)).json()).toMatchObject({
      seasons: [{ episodes: [{ titleId: episodeId }] }],
    });
    await eventually(async () => {
      const play2 = await h.as(viewer)({
        method: 'POST',
        url: '/api/playback',
        payload: { profileId: 'p-edit', titleId: episodeId },
      });
      expect(play2.statusCode).toBe(201);
    });
  });

  it('tells the encoder when a newer video of a title is still encoding (issue 22 item 12)', async () => {
    const { titleId, assetId } = await readyTitle(h, { name: 'Re-encoded' });
    const internalTitle = async () =>
      (await h.internal({ method: 'GET', url: `/internal/titles/${titleId}` })).json<{
        readyAssetId: string;
        encoding: boolean;
      }>();
    expect(await internalTitle()).toMatchObject({ readyAssetId: assetId, encoding: false });
    const second = await h.internal({
      method: 'POST',
      url: `/internal/titles/${titleId}/assets`,
      payload: { uploadId: `again-${titleId}`, filename: 'v2.mp4' },
    });
    const secondAsset = second.json<{ assetId: string }>().assetId;
    await h.ctx.bus.publish({
      type: 'media.encoding.progress',
      source: 'encoder',
      data: { assetId: secondAsset, titleId, progress: 0.5, stage: 'ladder' },
    });
    await eventually(async () => expect(await internalTitle()).toMatchObject({ encoding: true }));
    await h.ctx.bus.publish({
      type: 'media.encoded',
      source: 'encoder',
      data: { assetId: secondAsset, titleId, renditions: LADDER, durationSeconds: 60 },
    });
    await eventually(async () =>
      expect(await internalTitle()).toMatchObject({ readyAssetId: secondAsset, encoding: false }),
    );
  });

  it('documents the new calls in the OpenAPI document', async () => {
    const doc = (await h.internal({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(Object.keys(doc.paths['/api/admin/titles/{titleId}'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
    expect(doc.paths['/api/admin/titles/{titleId}/poster']).toHaveProperty('put');
  });

  it('refuses to publish a title with nothing to play', async () => {
    const created = await h.as(admin)({
      method: 'POST',
      url: '/api/admin/titles',
      payload: { type: 'movie', name: 'Empty Reel', year: 2020, maturity: 'G' },
    });
    const { titleId } = created.json<{ titleId: string }>();
    const res = await h.as(admin)({
      method: 'PATCH',
      url: `/api/admin/titles/${titleId}`,
      payload: { published: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ detail: expect.stringContaining('nothing ready to play') });
  });

  it('replaces the poster with an uploaded image under a new key, refusing what is not an image', async () => {
    const { titleId } = await readyTitle(h, { name: 'Poster Swap' });
    const put = (body: Buffer, type: string) =>
      h.as(admin)({
        method: 'PUT',
        url: `/api/admin/titles/${titleId}/poster`,
        payload: body,
        headers: { 'content-type': type },
      });
    const notImage = await put(Buffer.from('<svg onload=alert(1)>'), 'image/png');
    expect(notImage.statusCode).toBe(400);
    expect(notImage.headers['content-type']).toContain('application/problem+json');
    expect((await put(PNG, 'image/gif')).statusCode).toBe(415);
    expect((await put(Buffer.alloc(1024 * 1024 + 10, 1), 'image/png')).statusCode).toBe(413);
    const asViewer = await h.as(viewer)({
      method: 'PUT',
      url: `/api/admin/titles/${titleId}/poster`,
      payload: PNG,
      headers: { 'content-type': 'image/png' },
    });
    expect(asViewer.statusCode).toBe(403);

    const first = await put(PNG, 'image/png');
    expect(first.statusCode).toBe(200);
    const { posterKey } = first.json<{ posterKey: string }>();
    expect(posterKey).toMatch(new RegExp(`^assets/art-${titleId}/poster-[0-9a-f-]+\\.png$`));
    expect((await readWholeBlob(h.ctx.blobs, posterKey)).equals(PNG)).toBe(true);
    const url = (await detail(titleId)).json<{ posterUrl: string }>().posterUrl;
    expect(url).toContain(`/a/art-${titleId}/poster-`);
    const second = (await put(PNG, 'image/png')).json<{ posterKey: string }>().posterKey;
    expect(second).not.toBe(posterKey);

    // A later encode keeps the operator's poster.
    await encodeAsset(h, titleId);
    expect((await detail(titleId)).json<{ posterUrl: string }>().posterUrl).toContain(`/a/art-${titleId}/`);
  });

  it('deletes a series with its episodes and tells storage which assets go', async () => {
    const created = await h.as(admin)({
      method: 'POST',
      url: '/api/admin/titles',
      payload: { type: 'series', name: 'Short Lived', year: 2020, maturity: 'PG' },
    });
    const seriesId = created.json<{ titleId: string }>().titleId;
    const episode = await h.as(admin)({
      method: 'POST',
      url: `/api/admin/titles/${seriesId}/episodes`,
      payload: { season: 1, number: 1, name: 'Only One' },
    });
    const episodeId = episode.json<{ titleId: string }>().titleId;
    const assetId = await encodeAsset(h, episodeId);

    expect((await h.as(viewer)({ method: 'DELETE', url: `/api/admin/titles/${seriesId}` })).statusCode).toBe(
      403,
    );
    const res = await h.as(admin)({ method: 'DELETE', url: `/api/admin/titles/${seriesId}` });
    expect(res.statusCode).toBe(204);
    expect((await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${seriesId}` })).statusCode).toBe(404);
    expect((await h.as(admin)({ method: 'GET', url: `/api/admin/titles/${episodeId}` })).statusCode).toBe(
      404,
    );
    expect((await search('short lived')).map((t) => t.titleId)).not.toContain(seriesId);
    await eventually(async () => {
      const event = deleted.find((e) => (e.data as { titleId: string }).titleId === seriesId);
      expect(event?.data).toEqual({
        titleId: seriesId,
        titleIds: [seriesId, episodeId],
        assetIds: expect.arrayContaining([assetId, `art-${seriesId}`, `art-${episodeId}`]),
      });
    });
    expect((await h.as(admin)({ method: 'DELETE', url: `/api/admin/titles/${seriesId}` })).statusCode).toBe(
      404,
    );
  });
});
