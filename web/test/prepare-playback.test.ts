import { describe, expect, it } from 'vitest';
import {
  budgetFor,
  NORMAL_BUDGET,
  PrefetchSpending,
  SESSION_ONLY_BUDGET,
  SMALL_BUDGET,
} from '../src/player/prepare-budget.js';
import { codecFamilies, startPlaylists, startSegments } from '../src/player/prepare-playlists.js';

const MASTER = `#EXTM3U
#EXT-X-CONTENT-STEERING:SERVER-URI="https://api/steering/s",PATHWAY-ID="edge-b"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud-a",NAME="en",DEFAULT=YES,URI="https://a/t/x/a/1/audio_0/index.m3u8",PATHWAY-ID="edge-a"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud-b",NAME="en",DEFAULT=YES,URI="https://b/t/x/a/1/audio_0/index.m3u8",PATHWAY-ID="edge-b"
#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,CODECS="avc1.640028,mp4a.40.2",AUDIO="aud-a",PATHWAY-ID="edge-a"
https://a/t/x/a/1/video_720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240,CODECS="avc1.640015,mp4a.40.2",AUDIO="aud-a",PATHWAY-ID="edge-a"
https://a/t/x/a/1/video_240p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,CODECS="avc1.640028,mp4a.40.2",AUDIO="aud-b",PATHWAY-ID="edge-b"
https://b/t/x/a/1/video_720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=426x240,CODECS="av01.0.04M.08,mp4a.40.2",AUDIO="aud-b",PATHWAY-ID="edge-b"
https://b/t/x/a/1/video_240p_av1/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240,CODECS="avc1.640015,mp4a.40.2",AUDIO="aud-b",PATHWAY-ID="edge-b"
https://b/t/x/a/1/video_240p/index.m3u8
`;

describe('what instant play prefetches', () => {
  it('starts on the lowest playable variant of the initial pathway, with its default audio', () => {
    const h264Only = (codecs: string) => !codecs.startsWith('av01');
    expect(startPlaylists(MASTER, 'https://b/t/x/a/1/master.m3u8', h264Only)).toEqual({
      playlists: ['https://b/t/x/a/1/video_240p/index.m3u8', 'https://b/t/x/a/1/audio_0/index.m3u8'],
    });
    // One edge: relative URIs, no pathways.
    const single = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=9,RESOLUTION=640x360\nvideo_360p/index.m3u8\n';
    expect(startPlaylists(single, 'https://e/t/x/a/1/master.m3u8')).toEqual({
      playlists: ['https://e/t/x/a/1/video_360p/index.m3u8'],
    });
    expect(startPlaylists('#EXTM3U\n', 'https://e/m.m3u8')).toBeNull();
    expect([...codecFamilies(MASTER)].sort()).toEqual(['av1', 'h264']);
    expect([...codecFamilies(single)]).toEqual(['h264']);
  });

  it('takes the init segment and the segment playing at the resume position', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-MAP:URI="init_0.mp4"',
      '#EXT-X-KEY:METHOD=AES-128,URI="../content.key"',
      '#EXTINF:4.0,',
      'seg_00000.m4s',
      '#EXTINF:4.0,',
      'seg_00001.m4s',
      '#EXT-X-ENDLIST',
    ].join('\n');
    const url = 'https://e/t/x/a/1/video_240p/index.m3u8';
    expect(startSegments(playlist, url, 0)).toEqual([
      'https://e/t/x/a/1/video_240p/init_0.mp4',
      'https://e/t/x/a/1/video_240p/seg_00000.m4s',
    ]);
    expect(startSegments(playlist, url, 5.5)[1]).toBe('https://e/t/x/a/1/video_240p/seg_00001.m4s');
    expect(startSegments(playlist, url, 60)).toEqual(['https://e/t/x/a/1/video_240p/init_0.mp4']);
  });

  it('spends less on a slow, metered or data-saving connection', () => {
    expect(budgetFor(undefined)).toBe(NORMAL_BUDGET);
    expect(budgetFor({ effectiveType: '4g' })).toBe(NORMAL_BUDGET);
    expect(budgetFor({ effectiveType: '3g' })).toBe(SMALL_BUDGET);
    expect(budgetFor({ effectiveType: '4g', metered: true })).toBe(SMALL_BUDGET);
    expect(budgetFor({ effectiveType: '4g', type: 'cellular' })).toBe(SMALL_BUDGET);
    expect(budgetFor({ effectiveType: '2g' })).toBe(SESSION_ONLY_BUDGET);
    expect(budgetFor({ effectiveType: '4g', saveData: true })).toBe(SESSION_ONLY_BUDGET);
  });

  it('counts requests and bytes over a sliding minute', () => {
    let now = 0;
    const spending = new PrefetchSpending(() => now);
    const budget = { preparesPerMinute: 2, mediaRequestsPerMinute: 3, mediaBytesPerMinute: 1000 };
    expect(spending.mayPrepare(budget)).toBe(true);
    spending.spend({ prepares: 2 });
    expect(spending.mayPrepare(budget)).toBe(false);
    spending.spend({ requests: 1, bytes: 600 });
    expect(spending.mediaRoom(budget)).toBe(400);
    spending.spend({ requests: 2, bytes: 100 });
    expect(spending.mediaRoom(budget)).toBe(0);
    now = 60_001;
    expect(spending.mayPrepare(budget)).toBe(true);
    expect(spending.mediaRoom(budget)).toBe(1000);
    expect(spending.mediaRoom(SESSION_ONLY_BUDGET)).toBe(0);
  });
});
