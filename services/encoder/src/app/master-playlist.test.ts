import { parse, type types } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { writeMasterPlaylist, type MasterPlaylistInput } from './master-playlist.js';

const input: MasterPlaylistInput = {
  video: [
    {
      uri: 'video_720p/index.m3u8',
      width: 1280,
      height: 720,
      frameRate: 29.97,
      peakBandwidth: 3_000_000,
      averageBandwidth: 2_500_000,
      codecs: 'avc1.64001f',
    },
    {
      uri: 'video_1080p/index.m3u8',
      width: 1920,
      height: 1080,
      frameRate: 29.97,
      peakBandwidth: 6_000_000,
      averageBandwidth: 5_000_000,
      codecs: 'avc1.640028',
    },
    {
      uri: 'video_360p/index.m3u8',
      width: 640,
      height: 360,
      frameRate: 29.97,
      peakBandwidth: 900_000,
      averageBandwidth: 700_000,
      codecs: 'avc1.64001e',
    },
  ],
  audio: [
    {
      uri: 'audio_0/index.m3u8',
      name: 'English',
      language: 'en',
      channels: 2,
      default: false,
      peakBandwidth: 130_000,
      averageBandwidth: 128_000,
      codecs: 'mp4a.40.2',
    },
    {
      uri: 'audio_1/index.m3u8',
      name: 'French "VF"',
      language: 'fr',
      channels: 2,
      default: true,
      peakBandwidth: 140_000,
      averageBandwidth: 129_000,
      codecs: 'mp4a.40.2',
    },
  ],
  subtitles: [{ uri: 'subs_0/index.m3u8', name: 'English', language: 'en', default: false }],
};

function parseMaster(text: string): types.MasterPlaylist {
  const playlist = parse(text);
  if (!playlist.isMasterPlaylist) throw new Error('not a master playlist');
  return playlist;
}

describe('writeMasterPlaylist', () => {
  const text = writeMasterPlaylist(input);
  const master = parseMaster(text);

  it('declares version 7 and independent segments', () => {
    expect(text.startsWith('#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n')).toBe(true);
  });

  it('lists variants highest first with bandwidths that include the largest audio rendition', () => {
    expect(master.variants.map((v) => v.uri)).toEqual([
      'video_1080p/index.m3u8',
      'video_720p/index.m3u8',
      'video_360p/index.m3u8',
    ]);
    const top = master.variants[0]!;
    expect(top.bandwidth).toBe(6_140_000);
    expect(top.averageBandwidth).toBe(5_129_000);
    expect(top.resolution).toEqual({ width: 1920, height: 1080 });
    expect(top.frameRate).toBeCloseTo(29.97, 3);
    expect(top.codecs).toBe('avc1.640028,mp4a.40.2');
  });

  it('puts every audio track in one group with language, channels and a single default', () => {
    const audio = master.variants[0]!.audio;
    expect(audio.map((a) => [a.name, a.language, a.channels, a.isDefault, a.uri])).toEqual([
      ['English', 'en', '2', false, 'audio_0/index.m3u8'],
      ['French ’VF’', 'fr', '2', true, 'audio_1/index.m3u8'],
    ]);
    expect(new Set(audio.map((a) => a.groupId)).size).toBe(1);
  });

  it('attaches the WebVTT subtitle group to every variant', () => {
    for (const v of master.variants) expect(v.subtitles.map((s) => s.uri)).toEqual(['subs_0/index.m3u8']);
  });

  it('leaves out AUDIO and SUBTITLES for a silent film without subtitles', () => {
    const silent = writeMasterPlaylist({ video: input.video, audio: [], subtitles: [] });
    expect(silent).not.toMatch(/AUDIO=|SUBTITLES=|TYPE=AUDIO/);
    expect(parseMaster(silent).variants[0]!.codecs).toBe('avc1.640028');
  });
});
