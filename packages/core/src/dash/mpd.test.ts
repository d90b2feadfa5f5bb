import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  dashSteeringUri,
  describeDashAsset,
  frameRate,
  numberTemplate,
  segmentTimeline,
  writeSessionMpd,
} from './index.js';

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio_0/index.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Español <dub> & “more”",LANGUAGE="es",AUTOSELECT=YES,CHANNELS="1",URI="audio_1/index.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Deutsch",LANGUAGE="de",URI="subs_0/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=6000000,AVERAGE-BANDWIDTH=5000000,RESOLUTION=1920x1080,FRAME-RATE=29.970,CODECS="avc1.640028,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
video_1080/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2800000,RESOLUTION=1280x720,FRAME-RATE=29.970,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
video_720/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,RESOLUTION=640x360,FRAME-RATE=29.970,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
video_360/index.m3u8
`;

/** A media playlist as ffmpeg writes it: 4 s segments but a shorter last one (and, for `odd`, a short cut). */
function mediaPlaylist(durations: number[], key = '') {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:4',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MAP:URI="init_0.mp4"',
    ...(key ? [key] : []),
    ...durations.flatMap((d, i) => [`#EXTINF:${d.toFixed(6)},`, `seg_${String(i).padStart(5, '0')}.m4s`]),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

const VIDEO = [4, 4, 2.4, 4, 1.533333];
const AUDIO = [4.010667, 3.989333, 4.010667, 4, 1.322667];
const playlists = (key = '') =>
  new Map([
    ['video_1080/index.m3u8', mediaPlaylist(VIDEO, key)],
    ['video_720/index.m3u8', mediaPlaylist(VIDEO, key)],
    ['video_360/index.m3u8', mediaPlaylist(VIDEO, key)],
    ['audio_0/index.m3u8', mediaPlaylist(AUDIO, key)],
    ['audio_1/index.m3u8', mediaPlaylist(AUDIO, key)],
    ['subs_0/index.m3u8', '#EXTM3U\n#EXT-X-TARGETDURATION:16\n#EXTINF:15.933,\nindex.vtt\n#EXT-X-ENDLIST\n'],
  ]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['AdaptationSet', 'Representation', 'S'].includes(name),
});

interface Rep {
  id: string;
  height?: string;
  bandwidth: string;
  codecs?: string;
  frameRate?: string;
  SegmentTemplate?: {
    media: string;
    initialization: string;
    startNumber: string;
    timescale: string;
    SegmentTimeline: { S: { t?: string; d: string; r?: string }[] };
  };
  BaseURL?: string;
}
interface Set {
  contentType: string;
  mimeType: string;
  lang?: string;
  Label?: string;
  Role?: { value: string };
  Representation: Rep[];
}

function parse(xml: string) {
  const doc = parser.parse(xml) as {
    MPD: {
      xmlns: string;
      type: string;
      profiles: string;
      mediaPresentationDuration: string;
      minBufferTime: string;
      Period: { AdaptationSet: Set[] };
    };
  };
  return doc.MPD;
}

function build(maxHeight: number, key = '') {
  const texts = playlists(key);
  const described = describeDashAsset(MASTER, (p) => texts.get(p));
  if (!described.ok) throw new Error(described.detail);
  return writeSessionMpd(described.asset, { maxHeight });
}

/** Seconds covered by a SegmentTimeline, and the number of segments it lists. */
function timelineOf(rep: Rep) {
  const tpl = rep.SegmentTemplate!;
  let t = 0;
  let count = 0;
  for (const s of tpl.SegmentTimeline.S) {
    if (s.t !== undefined) t = Number(s.t);
    const repeats = Number(s.r ?? 0) + 1;
    t += Number(s.d) * repeats;
    count += repeats;
  }
  return { seconds: t / Number(tpl.timescale), count };
}

describe('session MPD (structural check with fast-xml-parser)', () => {
  it('is a static MPD with every rendition, audio language and text track over the HLS segment files', () => {
    const xml = build(2160);
    expect(() => new XMLParser().parse(xml, true)).not.toThrow(); // well-formed (validator on)
    const mpd = parse(xml);
    expect(mpd.xmlns).toBe('urn:mpeg:dash:schema:mpd:2011');
    expect(mpd.type).toBe('static');
    expect(mpd.profiles).toBe('urn:mpeg:dash:profile:isoff-live:2011');
    expect(mpd.mediaPresentationDuration).toBe('PT15.933S');
    const sets = mpd.Period.AdaptationSet;
    expect(sets.map((s) => [s.contentType, s.mimeType, s.lang])).toEqual([
      ['video', 'video/mp4', undefined],
      ['audio', 'audio/mp4', 'en'],
      ['audio', 'audio/mp4', 'es'],
      ['text', 'text/vtt', 'de'],
    ]);
    const [video, en, es, de] = sets as [Set, Set, Set, Set];
    expect(video.Representation.map((r) => [r.height, r.codecs, r.frameRate])).toEqual([
      ['1080', 'avc1.640028', '30000/1001'],
      ['720', 'avc1.64001f', '30000/1001'],
      ['360', 'avc1.64001e', '30000/1001'],
    ]);
    const tpl = video.Representation[0]!.SegmentTemplate!;
    expect(tpl.initialization).toBe('video_1080/init_0.mp4');
    expect(tpl.media).toBe('video_1080/seg_$Number%05d$.m4s');
    expect(tpl.startNumber).toBe('0');
    expect([en.Role?.value, es.Role?.value]).toEqual(['main', 'alternate']);
    expect(en.Representation[0]!.codecs).toBe('mp4a.40.2');
    expect(es.Label).toBe('Español <dub> & “more”'); // escaped in the XML, read back whole
    expect(de.Representation[0]!.BaseURL).toBe('subs_0/index.vtt');
    expect(de.Role?.value).toBe('subtitle');
  });

  it('gives every segment its exact playlist duration, the short ones too', () => {
    const [video, audio] = parse(build(2160)).Period.AdaptationSet as [Set, Set];
    const v = timelineOf(video.Representation[0]!);
    expect(v.count).toBe(VIDEO.length);
    expect(v.seconds).toBeCloseTo(
      VIDEO.reduce((a, b) => a + b),
      6,
    );
    expect(video.Representation[0]!.SegmentTemplate!.SegmentTimeline.S.map((s) => [s.d, s.r])).toEqual([
      ['4000000', '1'],
      ['2400000', undefined],
      ['4000000', undefined],
      ['1533333', undefined],
    ]);
    const a = timelineOf(audio.Representation[0]!);
    expect(a.count).toBe(AUDIO.length);
    expect(a.seconds).toBeCloseTo(
      AUDIO.reduce((x, y) => x + y),
      6,
    );
  });

  it('lists nothing above the session height (a basic viewer sees 720p at most)', () => {
    const sets = parse(build(720)).Period.AdaptationSet;
    const heights = sets.flatMap((s) => s.Representation.map((r) => Number(r.height ?? 0)));
    expect(Math.max(...heights)).toBe(720);
    expect(build(720)).not.toContain('video_1080');
    expect(sets.filter((s) => s.contentType === 'audio')).toHaveLength(2);
    // Below every rung: no video, and no audio or text that no allowed variant uses.
    expect(parse(build(240)).Period.AdaptationSet ?? []).toEqual([]);
  });

  it('describes a six-hour title (thousands of segments a rendition) in one short timeline each', () => {
    const long = Array.from({ length: 5400 }, () => 4);
    const texts = new Map(
      [...playlists()].map(([path, text]) => [path, path.startsWith('subs') ? text : mediaPlaylist(long)]),
    );
    const described = describeDashAsset(MASTER, (p) => texts.get(p));
    if (!described.ok) throw new Error(described.detail);
    expect(described.asset.durationSeconds).toBe(21_600);
    const xml = writeSessionMpd(described.asset, { maxHeight: 2160 });
    expect(xml).toContain('<S t="0" d="4000000" r="5399"/>');
  });

  it('refuses an asset whose segments are AES-128 encrypted whole', () => {
    const texts = playlists('#EXT-X-KEY:METHOD=AES-128,URI="../content.key"');
    const described = describeDashAsset(MASTER, (p) => texts.get(p));
    expect(described).toMatchObject({ ok: false, reason: 'encrypted-hls-only' });
    const clear = playlists('#EXT-X-KEY:METHOD=NONE');
    expect(describeDashAsset(MASTER, (p) => clear.get(p)).ok).toBe(true);
  });

  it('refuses MPEG-TS segments (no init segment)', () => {
    const texts = playlists();
    for (const [path, text] of texts) texts.set(path, text.replace(/#EXT-X-MAP:.*\n/, ''));
    expect(describeDashAsset(MASTER, (p) => texts.get(p))).toMatchObject({ ok: false, reason: 'not-cmaf' });
  });

  it('uses a SegmentList when file names are not one numbered pattern', () => {
    const texts = playlists();
    texts.set('video_720/index.m3u8', mediaPlaylist(VIDEO).replace('seg_00002.m4s', 'other.m4s'));
    const described = describeDashAsset(MASTER, (p) => texts.get(p));
    if (!described.ok) throw new Error(described.detail);
    const xml = writeSessionMpd(described.asset, { maxHeight: 1080 });
    expect(xml).toContain('<SegmentURL media="video_720/other.m4s"/>');
    expect(parse(xml).profiles).toBe('urn:mpeg:dash:profile:isoff-main:2011');
  });
});

describe('DASH Content Steering', () => {
  const described = describeDashAsset(MASTER, (p) => playlists().get(p));
  if (!described.ok) throw new Error(described.detail);
  const token = 'v1.eyJhIjoiYiJ9.sig-_x';
  const locations = [
    { id: 'edge-a', baseUrl: `https://a.example/t/${token}/a/asset-1/` },
    { id: 'edge-b', baseUrl: `https://b.example:8443/t/${token}/a/asset-1/` },
  ];
  const steeringUri = dashSteeringUri('https://gw.example/api/steering', 's-1');
  const steeringParser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['BaseURL', 'AdaptationSet'].includes(name),
  });
  interface SteeredMpd {
    MPD: {
      BaseURL?: { serviceLocation: string; '#text': string }[];
      ContentSteering?: { defaultServiceLocation: string; queryBeforeStart: string; '#text': string };
      Period: { AdaptationSet: { contentType: string }[] };
    };
  }

  it('lists one BaseURL per edge with its serviceLocation, and the steering server before the Period', () => {
    const xml = writeSessionMpd(described.asset, {
      maxHeight: 1080,
      serviceLocations: locations,
      steeringUri,
    });
    expect(() => new XMLParser().parse(xml, true)).not.toThrow();
    const mpd = (steeringParser.parse(xml) as SteeredMpd).MPD;
    expect(mpd.BaseURL).toEqual([
      { serviceLocation: 'edge-a', '#text': locations[0]!.baseUrl },
      { serviceLocation: 'edge-b', '#text': locations[1]!.baseUrl },
    ]);
    expect(mpd.ContentSteering).toEqual({
      defaultServiceLocation: 'edge-a',
      queryBeforeStart: 'true',
      '#text': 'https://gw.example/api/steering/s-1/dash',
    });
    // MPD-level, before the Period (the MPD's sequence has BaseURL before Period; dash.js reads both there).
    const order = [...xml.matchAll(/<(BaseURL serviceLocation|ContentSteering|Period)\b/g)].map((m) => m[1]);
    expect(order).toEqual([
      'BaseURL serviceLocation',
      'BaseURL serviceLocation',
      'ContentSteering',
      'Period',
    ]);
    // Segment URLs stay relative, so each resolves under whichever BaseURL the player is steered to.
    const media = /media="([^"]+)"/.exec(xml)![1]!;
    expect(new URL(media.replace('$Number%05d$', '00001'), locations[1]!.baseUrl).toString()).toBe(
      `https://b.example:8443/t/${token}/a/asset-1/video_1080/seg_00001.m4s`,
    );
    expect(mpd.Period.AdaptationSet.map((s) => s.contentType)).toEqual(['video', 'audio', 'audio', 'text']);
  });

  it('escapes what it writes, and leaves steering out with one edge or no steering server', () => {
    const odd = [{ id: 'edge-a', baseUrl: 'https://a.example/t/x&y/a/z/' }, locations[1]!];
    expect(
      writeSessionMpd(described.asset, { maxHeight: 1080, serviceLocations: odd, steeringUri }),
    ).toContain('<BaseURL serviceLocation="edge-a">https://a.example/t/x&amp;y/a/z/</BaseURL>');
    for (const options of [
      { maxHeight: 1080, serviceLocations: locations.slice(0, 1), steeringUri },
      { maxHeight: 1080, serviceLocations: locations },
      { maxHeight: 1080 },
    ]) {
      const xml = writeSessionMpd(described.asset, options);
      expect(xml).not.toContain('<BaseURL serviceLocation');
      expect(xml).not.toContain('ContentSteering');
    }
  });
});

describe('MPD pieces', () => {
  it('finds numbered templates', () => {
    expect(numberTemplate(['a/seg_00007.m4s', 'a/seg_00008.m4s'])).toEqual({
      media: 'a/seg_$Number%05d$.m4s',
      startNumber: 7,
    });
    expect(numberTemplate(['s9.m4s', 's10.m4s'])).toEqual({ media: 's$Number$.m4s', startNumber: 9 });
    expect(numberTemplate(['s1.m4s', 's3.m4s'])).toBeUndefined();
    expect(numberTemplate(['x$1.m4s'])?.media).toBe('x%241.m4s'.replace('1', '$Number$'));
  });

  it('rounds starts, not durations, so a long title does not drift', () => {
    const durations = Array.from({ length: 1800 }, () => 4.004);
    const xml = segmentTimeline(durations);
    const total = [...xml.matchAll(/d="(\d+)"(?: r="(\d+)")?/g)].reduce(
      (sum, m) => sum + Number(m[1]) * (Number(m[2] ?? 0) + 1),
      0,
    );
    expect(total).toBe(Math.round(1800 * 4.004 * 1_000_000));
  });

  it('writes frame rates as DASH integers or fractions', () => {
    expect([30, 29.97, 23.976, 59.94, 25, 12.5].map(frameRate)).toEqual([
      '30',
      '30000/1001',
      '24000/1001',
      '60000/1001',
      '25',
      '12500/1000',
    ]);
  });
});
