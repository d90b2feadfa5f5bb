import { parse, type types } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { addedSubtitleDir, derivedAssetId, withSubtitleRendition } from './subtitle-addition.js';

const MASTER = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="a0/index.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="audio"',
  'v360/index.m3u8',
  '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,RESOLUTION=640x360,URI="v360/iframes.m3u8"',
  '',
].join('\n');

describe('adding a subtitle rendition to a master', () => {
  it('adds the rendition in a subtitle group and points every video variant at it, keeping the rest', () => {
    const added = withSubtitleRendition(MASTER, {
      uri: 'subs_added_x/index.m3u8',
      name: 'Spanish',
      language: 'es',
    })!;
    expect(added.name).toBe('Spanish');
    const master = parse(added.master) as types.MasterPlaylist;
    const video = master.variants.filter((v) => !v.isIFrameOnly);
    expect(video).toHaveLength(1);
    expect(video[0]!.subtitles).toEqual([
      expect.objectContaining({
        type: 'SUBTITLES',
        groupId: 'subs',
        name: 'Spanish',
        language: 'es',
        isDefault: false,
        uri: 'subs_added_x/index.m3u8',
      }),
    ]);
    expect(video[0]!.audio).toHaveLength(1);
    expect(added.master).toContain(
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,RESOLUTION=640x360,URI="v360/iframes.m3u8"',
    );
    expect(added.master).not.toMatch(/I-FRAME-STREAM-INF:[^\n]*SUBTITLES/);
  });

  it('numbers a second rendition of the same name, joins the existing group, and adds nothing twice', () => {
    const once = withSubtitleRendition(MASTER, {
      uri: 'subs_added_a/index.m3u8',
      name: 'Spanish',
      language: 'es',
    })!;
    const twice = withSubtitleRendition(once.master, {
      uri: 'subs_added_b/index.m3u8',
      name: 'Spanish',
      language: 'es',
    })!;
    expect(twice.name).toBe('Spanish (2)');
    const names = (parse(twice.master) as types.MasterPlaylist).variants[0]!.subtitles.map((s) => s.name);
    expect(names).toEqual(['Spanish', 'Spanish (2)']);
    expect(
      withSubtitleRendition(twice.master, {
        uri: 'subs_added_a/index.m3u8',
        name: 'Spanish',
        language: 'es',
      }),
    ).toBeUndefined();
    // Untagged: no LANGUAGE attribute rather than a guess.
    const unknown = withSubtitleRendition(MASTER, {
      uri: 'subs_added_u/index.m3u8',
      name: 'Unknown',
      language: undefined,
    })!;
    expect(unknown.master).toMatch(/NAME="Unknown",DEFAULT=NO/);
  });

  it('derives stable ids and directories from the asset and the sidecar', () => {
    expect(derivedAssetId('a1', 'sidecars/t/es-u1.srt')).toBe(derivedAssetId('a1', 'sidecars/t/es-u1.srt'));
    expect(derivedAssetId('a1', 'sidecars/t/es-u1.srt')).not.toBe(
      derivedAssetId('a1', 'sidecars/t/es-u2.srt'),
    );
    expect(derivedAssetId('a1', 'k')).toMatch(/^[0-9a-f]{32}$/);
    expect(addedSubtitleDir('sidecars/t/es-u1.srt')).toMatch(/^subs_added_[0-9a-f]{12}$/);
  });
});
