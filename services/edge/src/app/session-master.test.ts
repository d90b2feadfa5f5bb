import HLS from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { MASTER } from './hls-fixtures.test-support.js';
import { buildSessionMaster, requestedCodec, videoCodecFamily } from './session-master.js';

const edgeA = { id: 'edge-1', assetBase: 'http://127.0.0.1:9001/t/tok/a/asset-1/' };
const edgeB = { id: 'edge-2', assetBase: 'http://127.0.0.1:9002/t/tok/a/asset-1/' };
const steeringUri = 'http://127.0.0.1:8080/api/steering/session-1';

function parseMaster(text: string) {
  const parsed = HLS.parse(text);
  if (!parsed.isMasterPlaylist) throw new Error('not a master');
  return parsed;
}

describe('buildSessionMaster', () => {
  it('keeps only the variants up to the allowed height, with relative URIs on one edge', () => {
    const text = buildSessionMaster(MASTER, { maxHeight: 720, pathways: [edgeA], steeringUri });
    const master = parseMaster(text);
    expect(master.variants.map((v) => v.resolution?.height)).toEqual([720, 360]);
    expect(master.variants.map((v) => v.uri)).toEqual(['v720/index.m3u8', 'v360/index.m3u8']);
    expect(text).not.toContain('1080');
    expect(text).not.toContain('EXT-X-CONTENT-STEERING');
    expect(text).toContain('GROUP-ID="aud"');
  });

  it('writes one pathway per edge with absolute URIs and per-pathway groups', () => {
    const text = buildSessionMaster(MASTER, { maxHeight: 2160, pathways: [edgeB, edgeA], steeringUri });
    expect(text).toContain(`#EXT-X-CONTENT-STEERING:SERVER-URI="${steeringUri}",PATHWAY-ID="edge-2"`);
    const master = parseMaster(text);
    expect(master.variants).toHaveLength(6);
    const lines = text.split('\n');
    const streamInf = lines.filter((l) => l.startsWith('#EXT-X-STREAM-INF'));
    expect(streamInf.filter((l) => l.includes('PATHWAY-ID="edge-1"'))).toHaveLength(3);
    expect(streamInf.filter((l) => l.includes('PATHWAY-ID="edge-2"'))).toHaveLength(3);
    // Each pathway's variants point at its own edge and use its own groups.
    for (const [i, line] of lines.entries()) {
      if (!line.startsWith('#EXT-X-STREAM-INF')) continue;
      const edge = line.includes('PATHWAY-ID="edge-1"') ? edgeA : edgeB;
      expect(lines[i + 1]!.startsWith(edge.assetBase)).toBe(true);
      expect(line).toContain(`AUDIO="aud.${edge.id}"`);
      expect(line).toContain(`SUBTITLES="subs.${edge.id}"`);
      expect(line).toMatch(/STABLE-VARIANT-ID="v\d"/);
    }
    const media = lines.filter((l) => l.startsWith('#EXT-X-MEDIA'));
    expect(media).toHaveLength(4);
    expect(media.filter((l) => l.includes(`URI="${edgeA.assetBase}audio/en/index.m3u8"`))).toHaveLength(1);
    expect(media.every((l) => l.includes('STABLE-RENDITION-ID='))).toBe(true);
  });

  it('drops audio groups no remaining variant uses', () => {
    const master = `#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="hi",NAME="5.1",URI="a/hi.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="lo",NAME="stereo",URI="a/lo.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=9,RESOLUTION=3840x2160,AUDIO="hi"
v2160.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=640x360,AUDIO="lo"
v360.m3u8
`;
    const text = buildSessionMaster(master, { maxHeight: 720, pathways: [edgeA] });
    expect(text).toContain('GROUP-ID="lo"');
    expect(text).not.toContain('GROUP-ID="hi"');
  });

  it('replaces a steering tag already in the source', () => {
    const source = MASTER.replace(
      '#EXT-X-VERSION:7',
      '#EXT-X-VERSION:7\n#EXT-X-CONTENT-STEERING:SERVER-URI="http://evil/"',
    );
    const text = buildSessionMaster(source, { maxHeight: 2160, pathways: [edgeA, edgeB], steeringUri });
    expect(text).not.toContain('evil');
    expect(text.match(/EXT-X-CONTENT-STEERING/g)).toHaveLength(1);
  });
});

describe('buildSessionMaster with H.264 and AV1 variants', () => {
  const both = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="English",DEFAULT=YES,AUTOSELECT=YES,URI="audio_0/index.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080,CODECS="avc1.640028,mp4a.40.2",AUDIO="audio"',
    'video_1080p/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="audio"',
    'video_720p/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1920x1080,CODECS="av01.0.08M.08,mp4a.40.2",AUDIO="audio"',
    'video_1080p_av1/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=1280x720,CODECS="av01.0.05M.08,mp4a.40.2",AUDIO="audio"',
    'video_720p_av1/index.m3u8',
    '',
  ].join('\n');
  const uris = (text: string) => parseMaster(text).variants.map((v) => v.uri);

  it('filters by codec and height together', () => {
    expect(uris(buildSessionMaster(both, { maxHeight: 720, pathways: [edgeA], codec: 'av1' }))).toEqual([
      'video_720p_av1/index.m3u8',
    ]);
    expect(uris(buildSessionMaster(both, { maxHeight: 1080, pathways: [edgeA], codec: 'h264' }))).toEqual([
      'video_1080p/index.m3u8',
      'video_720p/index.m3u8',
    ]);
    // No codec asked: both families, each within the height.
    expect(uris(buildSessionMaster(both, { maxHeight: 720, pathways: [edgeA] }))).toEqual([
      'video_720p/index.m3u8',
      'video_720p_av1/index.m3u8',
    ]);
  });

  it('keeps an H.264-only master whole when AV1 is asked for (old assets play as they are)', () => {
    expect(uris(buildSessionMaster(MASTER, { maxHeight: 720, pathways: [edgeA], codec: 'av1' }))).toEqual([
      'v720/index.m3u8',
      'v360/index.m3u8',
    ]);
  });

  it('reads the family from CODECS and the wish from the query', () => {
    expect(videoCodecFamily('av01.0.08M.08,mp4a.40.2')).toBe('av1');
    expect(videoCodecFamily('mp4a.40.2,av01.0.08M.08')).toBe('av1');
    expect(videoCodecFamily('avc1.640028')).toBe('h264');
    expect(videoCodecFamily('')).toBe('h264');
    expect(requestedCodec('/t/tok/a/a1/master.m3u8?codec=av1')).toBe('av1');
    expect(requestedCodec('/t/tok/a/a1/master.m3u8?codec=vp9')).toBeUndefined();
    expect(requestedCodec('/t/tok/a/a1/master.m3u8')).toBeUndefined();
  });
});
