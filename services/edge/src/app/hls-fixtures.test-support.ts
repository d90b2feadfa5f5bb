/** A master and variant playlists shaped like the encoder's output (CMAF, audio group, subtitles). */
export const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/en/index.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English, CC",LANGUAGE="en",URI="subs/en/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=6000000,AVERAGE-BANDWIDTH=5000000,RESOLUTION=1920x1080,FRAME-RATE=30,CODECS="avc1.640028,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
v1080/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2800000,RESOLUTION=1280x720,FRAME-RATE=30,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
v720/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,RESOLUTION=640x360,FRAME-RATE=30,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
v360/index.m3u8
`;

export const variantPlaylist = (dir: string, segments = 3) =>
  `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
${Array.from({ length: segments }, (_, i) => `#EXTINF:4.000,\nseg_${String(i + 1).padStart(5, '0')}.m4s`).join('\n')}
#EXT-X-ENDLIST
`.replaceAll('DIR', dir);

export const PLAYLISTS = new Map([
  ['v1080/index.m3u8', variantPlaylist('v1080', 6)],
  ['v720/index.m3u8', variantPlaylist('v720', 6)],
  ['v360/index.m3u8', variantPlaylist('v360', 6)],
  ['audio/en/index.m3u8', variantPlaylist('audio')],
  ['subs/en/index.m3u8', `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nsub_1.vtt\n#EXT-X-ENDLIST\n`],
]);
