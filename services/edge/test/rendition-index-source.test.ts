import { assetPlaylistFiles, readMasterPlaylist } from '@marquee/core/hls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER, PLAYLISTS } from '../src/app/hls-fixtures.test-support.js';
import { putAsset, startEdge } from './harness.js';

type Edge = Awaited<ReturnType<typeof startEdge>>;

const listed = assetPlaylistFiles(readMasterPlaylist(MASTER), (path) => PLAYLISTS.get(path));
const VARIANT_PLAYLISTS = ['v1080/index.m3u8', 'v720/index.m3u8', 'v360/index.m3u8', 'audio/en/index.m3u8'];

/** Where an edge learns which rendition a file belongs to: asset.json when it lists them, else the playlists. */
describe('rendition index source', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge();
    putAsset(e.origin, 'listed');
    e.origin.put('assets/listed/asset.json', JSON.stringify({ assetId: 'listed', playlists: listed }));
    putAsset(e.origin, 'older');
    // An asset encoded before asset.json listed the playlists' files.
    e.origin.put('assets/older/asset.json', JSON.stringify({ assetId: 'older' }));
    putAsset(e.origin, 'garbled');
    e.origin.put('assets/garbled/asset.json', '{"playlists": [{"path": 1}');
  });
  afterAll(() => e?.close());

  const path = (token: string, asset: string, file: string) => `/t/${token}/a/${asset}/${file}`;

  async function checkHeights(asset: string) {
    const token = e.token({ asset, maxHeight: 720 });
    const ok = await e.get(path(token, asset, 'v720/seg_00001.m4s'));
    await ok.body.arrayBuffer();
    expect(ok.statusCode).toBe(200);
    const refused = await e.get(path(token, asset, 'v1080/seg_00002.m4s'));
    expect(refused.statusCode).toBe(403);
    expect(await refused.body.json()).toMatchObject({ code: 'media.rendition_forbidden' });
    const unlisted = await e.get(path(token, asset, 'v720/seg_99999.m4s'));
    expect(unlisted.statusCode).toBe(403);
    await unlisted.body.arrayBuffer();
  }

  it('reads the index from asset.json, fetching no playlist to build it', async () => {
    await checkHeights('listed');
    expect(e.origin.fetchesOf('assets/listed/asset.json')).toBe(1);
    for (const playlist of VARIANT_PLAYLISTS) expect(e.origin.fetchesOf(`assets/listed/${playlist}`)).toBe(0);
  });

  it('reads the playlists of an asset whose asset.json does not list them, or cannot be read', async () => {
    for (const asset of ['older', 'garbled']) {
      await checkHeights(asset);
      for (const playlist of VARIANT_PLAYLISTS)
        expect(e.origin.fetchesOf(`assets/${asset}/${playlist}`)).toBe(1);
    }
  });
});
