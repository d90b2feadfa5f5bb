import { assetPlaylistFiles, readMasterPlaylist } from '@marquee/core/hls';
import { describe, expect, it } from 'vitest';
import { MASTER, PLAYLISTS, variantPlaylist } from './hls-fixtures.test-support.js';
import { RenditionIndex } from './rendition-index.js';

const indexOf = (master: string, playlists: ReadonlyMap<string, string>) =>
  new RenditionIndex(assetPlaylistFiles(readMasterPlaylist(master), (path) => playlists.get(path)));

describe('rendition index', () => {
  it('maps each segment and init segment to its rendition height', () => {
    const index = indexOf(MASTER, PLAYLISTS);
    expect(index.heightOf('v1080/seg_00002.m4s')).toBe(1080);
    expect(index.heightOf('v1080/init.mp4')).toBe(1080);
    expect(index.heightOf('v1080/index.m3u8')).toBe(1080);
    expect(index.heightOf('v360/seg_00001.m4s')).toBe(360);
    expect(index.heightOf('audio/en/seg_00001.m4s')).toBe(0);
    expect(index.heightOf('subs/en/sub_1.vtt')).toBe(0);
    expect(index.heightOf('poster.jpg')).toBe(0);
  });

  it('gives AV1 rungs their own heights, so a 720p token reaches neither family above 720p', () => {
    const master = MASTER.replace(
      /\n$/,
      '\n#EXT-X-STREAM-INF:BANDWIDTH=3600000,RESOLUTION=1920x1080,CODECS="av01.0.08M.08,mp4a.40.2",AUDIO="aud"\n' +
        'video_1080p_av1/index.m3u8\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=1700000,RESOLUTION=1280x720,CODECS="av01.0.05M.08,mp4a.40.2",AUDIO="aud"\n' +
        'video_720p_av1/index.m3u8\n',
    );
    const playlists = new Map([
      ...PLAYLISTS,
      ['video_1080p_av1/index.m3u8', variantPlaylist('av1')],
      ['video_720p_av1/index.m3u8', variantPlaylist('av1')],
    ]);
    const index = indexOf(master, playlists);
    expect(index.heightOf('video_1080p_av1/seg_00001.m4s')).toBe(1080);
    expect(index.heightOf('video_1080p_av1/init.mp4')).toBe(1080);
    expect(index.heightOf('video_720p_av1/seg_00001.m4s')).toBe(720);
    expect(index.heightOf('v1080/seg_00001.m4s')).toBe(1080);
  });

  it('refuses media files no playlist lists', () => {
    const index = indexOf(MASTER, PLAYLISTS);
    expect(index.heightOf('v1080/seg_99999.m4s')).toBe(Number.POSITIVE_INFINITY);
    expect(index.heightOf('download.mp4')).toBe(Number.POSITIVE_INFINITY);
  });

  it('works for a flat layout where names, not directories, tell renditions apart', () => {
    const master = `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1920x1080\nstream_0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=640x360\nstream_1.m3u8\n`;
    const playlists = new Map([
      ['stream_0.m3u8', '#EXTM3U\n#EXT-X-MAP:URI="init_0.mp4"\n#EXTINF:4,\nstream_0_1.m4s\n'],
      ['stream_1.m3u8', '#EXTM3U\n#EXT-X-MAP:URI="init_1.mp4"\n#EXTINF:4,\nstream_1_1.m4s\n'],
    ]);
    const index = indexOf(master, playlists);
    expect(index.heightOf('stream_0_1.m4s')).toBe(1080);
    expect(index.heightOf('init_0.mp4')).toBe(1080);
    expect(index.heightOf('stream_1_1.m4s')).toBe(360);
  });

  it('counts a file listed by two playlists at the lower height', () => {
    const index = new RenditionIndex([
      { path: 'v1080/index.m3u8', height: 1080, files: ['shared/init.mp4', 'v1080/seg_1.m4s'] },
      { path: 'v360/index.m3u8', height: 360, files: ['shared/init.mp4', 'v360/seg_1.m4s'] },
    ]);
    expect(index.heightOf('shared/init.mp4')).toBe(360);
    expect(index.heightOf('v1080/seg_1.m4s')).toBe(1080);
  });
});
