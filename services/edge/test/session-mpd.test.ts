import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTWORK_SESSION } from '@marquee/core';
import { PLAYLISTS } from '../src/app/hls-fixtures.test-support.js';
import { putAsset, startEdge } from './harness.js';

type Edge = Awaited<ReturnType<typeof startEdge>>;

interface Rep {
  height?: string;
  SegmentTemplate?: { media: string; initialization: string };
  BaseURL?: string;
}
interface MpdDoc {
  MPD: { Period: { AdaptationSet?: { contentType: string; Representation: Rep[] }[] } };
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['AdaptationSet', 'Representation'].includes(name),
});

/** The session MPD (`manifest.mpd` beside `master.m3u8`): token rules, height filter, HLS-only assets. */
describe('edge session MPD', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge();
    putAsset(e.origin, 'asset-1');
    putAsset(e.origin, 'asset-2');
    // An asset encrypted for HLS (AES-128 whole segments): no MPD.
    putAsset(e.origin, 'sealed');
    for (const [path, text] of PLAYLISTS) {
      const keyed = text.replace(
        /(#EXT-X-MAP:[^\n]*\n)/,
        '$1#EXT-X-KEY:METHOD=AES-128,URI="../content.key"\n',
      );
      e.origin.put(`assets/sealed/${path}`, keyed, 'application/vnd.apple.mpegurl');
    }
  });
  afterAll(() => e?.close());

  const path = (token: string, asset = 'asset-1') => `/t/${token}/a/${asset}/manifest.mpd`;

  it('lists the renditions the token allows over the HLS segment files, no-store', async () => {
    const res = await e.get(path(e.token({ asset: 'asset-1', maxHeight: 720 })));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/dash+xml');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const text = await res.body.text();
    expect(text).not.toContain('v1080');
    const sets = (parser.parse(text) as MpdDoc).MPD.Period.AdaptationSet!;
    expect(sets.map((s) => s.contentType)).toEqual(['video', 'audio', 'text']);
    const [video, audio, subs] = sets as [(typeof sets)[0], (typeof sets)[0], (typeof sets)[0]];
    expect(video.Representation.map((r) => r.height)).toEqual(['720', '360']);
    expect(video.Representation[0]!.SegmentTemplate).toMatchObject({
      initialization: 'v720/init.mp4',
      media: 'v720/seg_$Number%05d$.m4s',
    });
    expect(audio.Representation[0]!.SegmentTemplate?.media).toBe('audio/en/seg_$Number%05d$.m4s');
    expect(subs.Representation[0]!.BaseURL).toBe('subs/en/sub_1.vtt');

    // Every URL it names is served to the same token (relative URLs inherit it), and 1080p is not.
    const token = e.token({ asset: 'asset-1', maxHeight: 720 });
    for (const file of [
      'v720/init.mp4',
      'v720/seg_00001.m4s',
      'audio/en/seg_00003.m4s',
      'subs/en/sub_1.vtt',
    ]) {
      const ok = await e.get(`/t/${token}/a/asset-1/${file}`);
      expect(ok.statusCode, file).toBe(200);
      await ok.body.dump();
    }
    const premium = await e.get(path(e.token({ asset: 'asset-1', maxHeight: 2160 })));
    const heights = (parser.parse(await premium.body.text()) as MpdDoc).MPD.Period.AdaptationSet![0]!
      .Representation;
    expect(heights.map((r) => r.height)).toEqual(['1080', '720', '360']);
  });

  it('refuses another asset, a forged, expired or artwork token like the HLS master', async () => {
    const good = e.token({ asset: 'asset-1', maxHeight: 720 });
    const cases: [string, string][] = [
      [path(good, 'asset-2'), 'media.asset_mismatch'],
      [path('nonsense.token'), 'media.token_invalid'],
      [path(e.token({ asset: 'asset-1', exp: Math.floor(Date.now() / 1000) - 1 })), 'media.token_expired'],
      [path(e.token({ asset: 'asset-1', session: ARTWORK_SESSION, maxHeight: 0 })), 'media.artwork_only'],
    ];
    for (const [url, code] of cases) {
      const res = await e.get(url);
      expect(res.statusCode, code).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(await res.body.json()).toMatchObject({ code });
    }
  });

  it('answers 409 media.dash_unavailable for an asset encrypted for HLS only', async () => {
    const res = await e.get(path(e.token({ asset: 'sealed' }), 'sealed'));
    expect(res.statusCode).toBe(409);
    expect(await res.body.json()).toMatchObject({
      code: 'media.dash_unavailable',
      detail: expect.stringContaining('encrypted-hls-only'),
    });
  });
});
