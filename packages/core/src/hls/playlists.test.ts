import HLS from 'hls-parser';
import { describe, expect, it } from 'vitest';
import {
  addMediaPlaylistKey,
  assetPlaylistFiles,
  joinMediaPlaylists,
  readMasterPlaylist,
  readMediaPlaylist,
  resolutionHeight,
  writeMasterPlaylist,
} from './playlists.js';

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en/index.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English, CC",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="subs/en/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=6000000,AVERAGE-BANDWIDTH=5000000,RESOLUTION=1920x1080,FRAME-RATE=30.000,CODECS="avc1.640028,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
v1080/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,RESOLUTION=640x360,FRAME-RATE=30.000,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
v360/index.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,RESOLUTION=640x360,CODECS="avc1.64001e",URI="v360/iframes.m3u8"
`;

const media = (segments: number, extra = '') => `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
${extra}${Array.from({ length: segments }, (_, i) => `#EXTINF:4.000,\nseg_${i + 1}.m4s`).join('\n')}
#EXT-X-ENDLIST
`;

describe('master playlists', () => {
  it('reads renditions, variants and the other tags, and writes the same text back', () => {
    const master = readMasterPlaylist(MASTER);
    expect(master.tags).toEqual(['#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS']);
    expect(master.renditions.map((r) => r.get('TYPE'))).toEqual(['AUDIO', 'SUBTITLES']);
    expect(master.variants.map((v) => [v.iFrame, v.uri, resolutionHeight(v.attrs)])).toEqual([
      [false, 'v1080/index.m3u8', 1080],
      [false, 'v360/index.m3u8', 360],
      [true, 'v360/iframes.m3u8', 360],
    ]);
    expect(writeMasterPlaylist(master)).toBe(MASTER);
  });

  it('keeps attributes it does not know, and skips comments and blank lines', () => {
    const text = `#EXTM3U\n# a comment\n\n#EXT-X-STREAM-INF:BANDWIDTH=1,X-FUTURE="a,b",RESOLUTION=2x4\nv.m3u8\n`;
    const master = readMasterPlaylist(text);
    expect(master.variants[0]!.attrs.get('X-FUTURE')).toBe('"a,b"');
    expect(writeMasterPlaylist(master)).toBe(
      `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,X-FUTURE="a,b",RESOLUTION=2x4\nv.m3u8\n`,
    );
  });

  it('writes what hls-parser reads as the same ladder', () => {
    const parsed = HLS.parse(writeMasterPlaylist(readMasterPlaylist(MASTER))) as HLS.types.MasterPlaylist;
    expect(parsed.variants.map((v) => [v.uri, v.resolution?.height, v.isIFrameOnly ?? false])).toEqual([
      ['v1080/index.m3u8', 1080, false],
      ['v360/index.m3u8', 360, false],
      ['v360/iframes.m3u8', 360, true],
    ]);
    expect(parsed.variants[0]!.audio.map((a) => a.uri)).toEqual(['audio/en/index.m3u8']);
    expect(parsed.variants[0]!.subtitles.map((s) => s.name)).toEqual(['English, CC']);
  });

  // Why this module is not hls-parser (see the top of playlists.ts): Content Steering attributes.
  it('keeps the steering attributes hls-parser 0.16 loses', () => {
    const steered = `#EXTM3U
#EXT-X-CONTENT-STEERING:SERVER-URI="https://s/steer",PATHWAY-ID="a"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud.a",NAME="English",STABLE-RENDITION-ID="en",URI="https://a/audio.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x4,AUDIO="aud.a",PATHWAY-ID="a",STABLE-VARIANT-ID="v0"
https://a/v.m3u8
`;
    const library = HLS.parse(steered) as HLS.types.MasterPlaylist;
    expect(library.variants[0]!.pathwayId).toBeUndefined();
    expect(HLS.stringify(library)).not.toContain('STABLE-RENDITION-ID');
    const ours = readMasterPlaylist(steered);
    expect(ours.variants[0]!.attrs.get('PATHWAY-ID')).toBe('"a"');
    expect(writeMasterPlaylist(ours)).toBe(steered);
  });
});

describe('media playlists', () => {
  it('reads the target duration, the init segment and each segment with its duration', () => {
    const playlist = readMediaPlaylist(media(2).replace('#EXTINF:4.000,\nseg_2', '#EXTINF:1.5,\nseg_2'));
    expect(playlist.targetDurationSeconds).toBe(4);
    expect(playlist.mapUri).toBe('init.mp4');
    expect(playlist.segments).toEqual([
      { uri: 'seg_1.m4s', durationSeconds: 4 },
      { uri: 'seg_2.m4s', durationSeconds: 1.5 },
    ]);
    expect(playlist.fileUris).toEqual(['init.mp4', 'seg_1.m4s', 'seg_2.m4s']);
  });

  it('lists parts and preload hints as files, but not keys', () => {
    const extra = `#EXT-X-KEY:METHOD=AES-128,URI="https://keys/k1"\n#EXT-X-PART:DURATION=1,URI="part_1.m4s"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part_2.m4s"\n`;
    expect(readMediaPlaylist(media(1, extra)).fileUris).toEqual([
      'init.mp4',
      'part_1.m4s',
      'part_2.m4s',
      'seg_1.m4s',
    ]);
  });
});

describe('the files of an asset', () => {
  const texts = new Map([
    ['v1080/index.m3u8', media(3)],
    ['v360/index.m3u8', media(3)],
    ['v360/iframes.m3u8', media(1)],
    ['audio/en/index.m3u8', media(2)],
    ['subs/en/index.m3u8', `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nsub_1.vtt\n#EXT-X-ENDLIST\n`],
  ]);

  it('names every playlist at its height with its files, the init segment first', () => {
    const files = assetPlaylistFiles(readMasterPlaylist(MASTER), (p) => texts.get(p));
    expect(files.map((f) => [f.path, f.height])).toEqual([
      ['audio/en/index.m3u8', 0],
      ['subs/en/index.m3u8', 0],
      ['v1080/index.m3u8', 1080],
      ['v360/index.m3u8', 360],
      ['v360/iframes.m3u8', 360],
    ]);
    expect(files[2]!.files).toEqual([
      'v1080/init.mp4',
      'v1080/seg_1.m4s',
      'v1080/seg_2.m4s',
      'v1080/seg_3.m4s',
    ]);
    expect(files[1]!.files).toEqual(['subs/en/sub_1.vtt']);
  });

  it('leaves out URIs that are absolute or escape the asset', () => {
    const master = `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x4\nv/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttps://elsewhere/x.m3u8\n`;
    const text = `#EXTM3U\n#EXTINF:4,\n../../other-asset/seg.m4s\n#EXTINF:4,\n/abs.m4s\n#EXTINF:4,\nok.m4s\n`;
    expect(assetPlaylistFiles(readMasterPlaylist(master), () => text)).toEqual([
      { path: 'v/index.m3u8', height: 4, files: ['v/ok.m4s'] },
    ]);
  });

  it('refuses to answer without every playlist the master names', () => {
    expect(() => assetPlaylistFiles(readMasterPlaylist(MASTER), () => undefined)).toThrow(/missing/);
  });
});

describe('joinMediaPlaylists', () => {
  const chunk = (seq: number, durations: number[]) =>
    [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      `#EXT-X-TARGETDURATION:${Math.ceil(Math.max(...durations))}`,
      `#EXT-X-MEDIA-SEQUENCE:${seq}`,
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MAP:URI="init_0.mp4"',
      ...durations.flatMap((d, i) => [
        `#EXTINF:${d.toFixed(6)},`,
        `seg_${String(seq + i).padStart(5, '0')}.m4s`,
      ]),
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');

  it('keeps the first header and every segment in order, with the largest target duration', () => {
    expect(joinMediaPlaylists([chunk(0, [4, 4]), chunk(2, [4, 4.5])])).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:5',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="init_0.mp4"',
        '#EXTINF:4.000000,',
        'seg_00000.m4s',
        '#EXTINF:4.000000,',
        'seg_00001.m4s',
        '#EXTINF:4.000000,',
        'seg_00002.m4s',
        '#EXTINF:4.500000,',
        'seg_00003.m4s',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });
});

describe('addMediaPlaylistKey', () => {
  const key = new Map([
    ['METHOD', 'AES-128'],
    ['URI', '"../content.key"'],
  ]);
  it('keys after the init segment and keeps every other line as written', () => {
    const text =
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.000000,\nseg_0.m4s\n#EXT-X-ENDLIST\n';
    const keyed = addMediaPlaylistKey(text, key);
    expect(keyed).toBe(
      text.replace('init.mp4"\n', 'init.mp4"\n#EXT-X-KEY:METHOD=AES-128,URI="../content.key"\n'),
    );
    expect(readMediaPlaylist(keyed)).toMatchObject({ encrypted: true, mapUri: 'init.mp4' });
    expect(readMediaPlaylist(text).encrypted).toBe(false);
  });

  it('keys before the first segment when there is no init segment', () => {
    expect(addMediaPlaylistKey('#EXTM3U\n#EXTINF:4,\na.ts\n', key).split('\n')[1]).toBe(
      '#EXT-X-KEY:METHOD=AES-128,URI="../content.key"',
    );
  });
});
