import {
  parseAttributes,
  readMasterPlaylist,
  readMediaPlaylist,
  resolutionHeight,
  resolveAssetPath,
  splitTag,
  unquote,
  type AttributeList,
} from '../hls/index.js';

/**
 * What an MPD of an asset needs, read from the asset's HLS playlists: the fMP4 init and media
 * segments of every rendition are the same files for DASH (no second copy), and the media playlists
 * hold each segment's exact duration. Paths are inside the asset, so they are also URLs relative to
 * an MPD at the asset's root, which inherit the session's token from the MPD's URL.
 */
export interface DashSegments {
  initialization: string;
  media: string[];
  /** Seconds, from each segment's EXTINF. */
  durations: number[];
}

export interface DashVideo {
  id: string;
  width: number;
  height: number;
  /** The variant's BANDWIDTH (peak, audio included: conservative for the player's rate choice). */
  bandwidth: number;
  codecs: string;
  frameRate?: number;
  audioGroup?: string;
  textGroup?: string;
  segments: DashSegments;
}

export interface DashAudio {
  id: string;
  group: string;
  language?: string;
  name: string;
  channels: number;
  isDefault: boolean;
  codecs: string;
  /** An estimate: the master has no audio rate (64 kbit/s a channel, the encoder's AAC rates). */
  bandwidth: number;
  segments: DashSegments;
}

export interface DashText {
  id: string;
  group: string;
  language?: string;
  name: string;
  forced: boolean;
  /** The one WebVTT file of the rendition. */
  path: string;
}

export interface DashAsset {
  durationSeconds: number;
  /** The longest segment, seconds (the MPD's minBufferTime). */
  maxSegmentSeconds: number;
  videos: DashVideo[];
  audios: DashAudio[];
  texts: DashText[];
}

/** Why an asset has no MPD; a stable reason the playback answer and the edge's refusal carry. */
export type DashUnavailableReason = 'encrypted-hls-only' | 'not-cmaf';

export type DashDescription =
  { ok: true; asset: DashAsset } | { ok: false; reason: DashUnavailableReason; detail: string };

const AUDIO_CODEC = /^(mp4a|ac-3|ec-3|opus|flac|alac)/i;

/**
 * Describes an asset for DASH from its master and media playlists (`playlistText` gives each by its
 * path inside the asset). An asset whose segments are AES-128 encrypted whole cannot be DASH (a DASH
 * player decrypts samples, CENC, not whole segments), nor one without init segments (MPEG-TS).
 */
export function describeDashAsset(
  masterText: string,
  playlistText: (path: string) => string | undefined,
): DashDescription {
  const master = readMasterPlaylist(masterText);
  const media = (path: string | undefined) => {
    const text = path === undefined ? undefined : playlistText(path);
    if (path === undefined || text === undefined) return undefined;
    return { path, text, playlist: readMediaPlaylist(text) };
  };
  const unavailable = (reason: DashUnavailableReason, detail: string): DashDescription => ({
    ok: false,
    reason,
    detail,
  });

  const videos: DashVideo[] = [];
  const audioCodecs = new Map<string, string>();
  for (const [index, variant] of master.variants.entries()) {
    if (variant.iFrame) continue;
    const height = resolutionHeight(variant.attrs);
    const read = media(resolveAssetPath('master.m3u8', variant.uri));
    if (height === undefined || !read) continue;
    const codecs = (unquote(variant.attrs.get('CODECS')) ?? '').split(',').map((c) => c.trim());
    const audioGroup = unquote(variant.attrs.get('AUDIO'));
    const audioCodec = codecs.find((c) => AUDIO_CODEC.test(c));
    if (audioGroup && audioCodec && !audioCodecs.has(audioGroup)) audioCodecs.set(audioGroup, audioCodec);
    if (isEncrypted(read.text)) {
      return unavailable('encrypted-hls-only', 'The segments are AES-128 encrypted whole: HLS only');
    }
    const segments = segmentsOf(read.path, read.playlist);
    if (!segments) return unavailable('not-cmaf', 'The segments have no fMP4 init segment');
    const frameRate = Number(variant.attrs.get('FRAME-RATE'));
    videos.push({
      id: `video-${index}`,
      width: Number(/^(\d+)x/.exec(variant.attrs.get('RESOLUTION') ?? '')?.[1] ?? 0),
      height,
      bandwidth: Number(variant.attrs.get('BANDWIDTH') ?? 0),
      codecs: codecs.filter((c) => c && !AUDIO_CODEC.test(c)).join(',') || 'avc1.640028',
      ...(Number.isFinite(frameRate) && frameRate > 0 ? { frameRate } : {}),
      ...(audioGroup ? { audioGroup } : {}),
      ...optional('textGroup', unquote(variant.attrs.get('SUBTITLES'))),
      segments,
    });
  }

  const audios: DashAudio[] = [];
  const texts: DashText[] = [];
  for (const [index, rendition] of master.renditions.entries()) {
    const type = rendition.get('TYPE');
    const group = unquote(rendition.get('GROUP-ID')) ?? '';
    const read = media(resolveAssetPath('master.m3u8', unquote(rendition.get('URI')) ?? ''));
    if (!read || (type !== 'AUDIO' && type !== 'SUBTITLES')) continue;
    const common = {
      group,
      name: unquote(rendition.get('NAME')) ?? '',
      ...optional('language', unquote(rendition.get('LANGUAGE'))),
    };
    if (type === 'AUDIO') {
      if (isEncrypted(read.text)) {
        return unavailable('encrypted-hls-only', 'The segments are AES-128 encrypted whole: HLS only');
      }
      const segments = segmentsOf(read.path, read.playlist);
      if (!segments) return unavailable('not-cmaf', 'The audio segments have no fMP4 init segment');
      const channels = Number.parseInt(unquote(rendition.get('CHANNELS')) ?? '2', 10) || 2;
      audios.push({
        id: `audio-${index}`,
        ...common,
        channels,
        isDefault: isYes(rendition, 'DEFAULT'),
        codecs: audioCodecs.get(group) ?? 'mp4a.40.2',
        bandwidth: 64_000 * channels,
        segments,
      });
    } else {
      // A DASH text track is one WebVTT file; a segmented WebVTT rendition would need wvtt in fMP4.
      const [only, ...more] = read.playlist.segments;
      const path = only && more.length === 0 ? resolveAssetPath(read.path, only.uri) : undefined;
      if (path) texts.push({ id: `text-${index}`, ...common, forced: isYes(rendition, 'FORCED'), path });
    }
  }

  const total = (s: DashSegments) => s.durations.reduce((a, b) => a + b, 0);
  const all = [...videos, ...audios].map((r) => r.segments);
  return {
    ok: true,
    asset: {
      durationSeconds: Math.max(0, ...videos.map((v) => total(v.segments))),
      // A loop, not Math.max(...): a long title's segments would overflow the argument list.
      maxSegmentSeconds: all.reduce((m, s) => s.durations.reduce((a, d) => Math.max(a, d), m), 1),
      videos,
      audios,
      texts,
    },
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function isYes(attrs: AttributeList, name: string): boolean {
  return attrs.get(name) === 'YES';
}

/** Any `#EXT-X-KEY` whose METHOD is not NONE. */
function isEncrypted(text: string): boolean {
  return text.split(/\r?\n/).some((line) => {
    const [tag, rest] = splitTag(line.trim());
    return tag === 'EXT-X-KEY' && parseAttributes(rest).get('METHOD') !== 'NONE';
  });
}

function segmentsOf(
  playlistPath: string,
  playlist: ReturnType<typeof readMediaPlaylist>,
): DashSegments | undefined {
  const initialization =
    playlist.mapUri === undefined ? undefined : resolveAssetPath(playlistPath, playlist.mapUri);
  if (initialization === undefined) return undefined;
  const media: string[] = [];
  const durations: number[] = [];
  for (const segment of playlist.segments) {
    const path = resolveAssetPath(playlistPath, segment.uri);
    if (path === undefined) return undefined;
    media.push(path);
    durations.push(segment.durationSeconds);
  }
  return { initialization, media, durations };
}
