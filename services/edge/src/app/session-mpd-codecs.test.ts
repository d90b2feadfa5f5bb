import { describeDashAsset, writeSessionMpd } from '@marquee/core/dash';
import { describe, expect, it } from 'vitest';
import { MASTER, PLAYLISTS, variantPlaylist } from './hls-fixtures.test-support.js';

/** The fixture asset with AV1 rungs beside its H.264 ones, as ENCODER_CODECS=h264,av1 writes it. */
const BOTH = MASTER.replace(
  /\n$/,
  '\n#EXT-X-STREAM-INF:BANDWIDTH=3600000,RESOLUTION=1920x1080,FRAME-RATE=30,CODECS="av01.0.08M.08,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"\n' +
    'video_1080p_av1/index.m3u8\n' +
    '#EXT-X-STREAM-INF:BANDWIDTH=1700000,RESOLUTION=1280x720,FRAME-RATE=30,CODECS="av01.0.05M.08,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"\n' +
    'video_720p_av1/index.m3u8\n',
);
const PLAYLISTS_BOTH = new Map([
  ...PLAYLISTS,
  ['video_1080p_av1/index.m3u8', variantPlaylist('av1', 6)],
  ['video_720p_av1/index.m3u8', variantPlaylist('av1', 6)],
]);

/** Each video AdaptationSet's Representations as `codecs@height`. */
function videoSets(maxHeight: number): string[][] {
  const described = describeDashAsset(BOTH, (path) => PLAYLISTS_BOTH.get(path));
  if (!described.ok) throw new Error(described.detail);
  const mpd = writeSessionMpd(described.asset, { maxHeight });
  return [...mpd.matchAll(/<AdaptationSet[^>]*contentType="video"[^>]*>([\s\S]*?)<\/AdaptationSet>/g)].map(
    (set) =>
      [...set[1]!.matchAll(/<Representation[^>]*\sheight="(\d+)"[^>]*\scodecs="([^"]+)"/g)].map(
        (r) => `${r[2]!.slice(0, 4)}@${r[1]}`,
      ),
  );
}

describe('session MPD with two codec families', () => {
  it('keeps one AdaptationSet per family, each capped at the token height', () => {
    expect(videoSets(1080)).toEqual([
      ['avc1@1080', 'avc1@720', 'avc1@360'],
      ['av01@1080', 'av01@720'],
    ]);
    // A basic viewer (720p): nothing taller in either family.
    expect(videoSets(720)).toEqual([['avc1@720', 'avc1@360'], ['av01@720']]);
  });
});
