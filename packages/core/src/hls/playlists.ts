import type { AssetPlaylistFiles } from '@marquee/contracts/asset-summary';
import {
  parseAttributes,
  quote,
  resolveAssetPath,
  serializeAttributes,
  splitTag,
  unquote,
  type AttributeList,
} from './attribute-list.js';

/**
 * The one HLS playlist reader and writer of the edge and the encoder (RFC 8216 / 8216bis).
 *
 * Hand-written on purpose, though hls-parser exists (and the tests read our output with it): the
 * edge rewrites masters it did not write and must keep every attribute it does not know, which
 * hls-parser's object model drops; hls-parser 0.16 reads a variant's PATHWAY-ID from
 * `STABLE-PATHWAY-ID` and cannot write STABLE-RENDITION-ID or a rendition's PATHWAY-ID, both of
 * which Content Steering needs (playlists.test.ts shows each). Attribute lists keep their order and
 * their quoting, so a tag that is read and written again is the same text.
 */

/** A variant of a master: `#EXT-X-STREAM-INF` with its URI line, or `#EXT-X-I-FRAME-STREAM-INF` with URI=. */
export interface MasterVariant {
  iFrame: boolean;
  /** Every attribute as written (an I-frame variant's URI included). */
  attrs: AttributeList;
  /** The variant's playlist URI, as written (relative to the master, usually). */
  uri: string;
}

export interface MasterPlaylist {
  /** Every other tag line, in order and as written (`#EXT-X-VERSION:7`, session data, steering…), without `#EXTM3U`. */
  tags: string[];
  /** `#EXT-X-MEDIA` renditions (audio, subtitles, closed captions, alternative video). */
  renditions: AttributeList[];
  variants: MasterVariant[];
}

export function readMasterPlaylist(text: string): MasterPlaylist {
  const out: MasterPlaylist = { tags: [], renditions: [], variants: [] };
  let pending: AttributeList | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (!line.startsWith('#')) {
      if (pending) out.variants.push({ iFrame: false, attrs: pending, uri: line });
      pending = undefined;
      continue;
    }
    // A '#' line that is not a tag is a comment (RFC 8216 §4.1).
    if (!line.startsWith('#EXT')) continue;
    const [tag, rest] = splitTag(line);
    if (tag === 'EXTM3U') continue;
    if (tag === 'EXT-X-STREAM-INF') pending = parseAttributes(rest);
    else if (tag === 'EXT-X-I-FRAME-STREAM-INF') {
      const attrs = parseAttributes(rest);
      out.variants.push({ iFrame: true, attrs, uri: unquote(attrs.get('URI')) ?? '' });
    } else if (tag === 'EXT-X-MEDIA') out.renditions.push(parseAttributes(rest));
    else out.tags.push(line);
  }
  return out;
}

/** `#EXTM3U`, the other tags, renditions, then variants in order. An I-frame variant's URI= is its `uri`. */
export function writeMasterPlaylist(playlist: MasterPlaylist): string {
  const lines = ['#EXTM3U', ...playlist.tags];
  for (const r of playlist.renditions) lines.push(`#EXT-X-MEDIA:${serializeAttributes(r)}`);
  for (const v of playlist.variants) {
    if (v.iFrame) {
      const attrs = new Map(v.attrs).set('URI', quote(v.uri));
      lines.push(`#EXT-X-I-FRAME-STREAM-INF:${serializeAttributes(attrs)}`);
    } else {
      lines.push(`#EXT-X-STREAM-INF:${serializeAttributes(v.attrs)}`, v.uri);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Height from `RESOLUTION=1280x720`, or undefined (audio-only variants have none). */
export function resolutionHeight(attrs: AttributeList): number | undefined {
  const match = /^(\d+)x(\d+)$/.exec(attrs.get('RESOLUTION') ?? '');
  return match ? Number(match[2]) : undefined;
}

export interface MediaSegment {
  uri: string;
  durationSeconds: number;
}

export interface MediaPlaylist {
  targetDurationSeconds: number;
  /** `#EXT-X-MEDIA-SEQUENCE`: the first segment's sequence number (0 when absent). */
  mediaSequence: number;
  /** Whether any `#EXT-X-KEY` names a key (METHOD other than NONE). */
  encrypted: boolean;
  /** The init segment (`#EXT-X-MAP` URI), when there is one. */
  mapUri: string | undefined;
  segments: MediaSegment[];
  /**
   * Every URI of a file the playlist plays, in playlist order, each once: init segments, parts,
   * preload hints and segments. Key URIs are not among them (keys are not files of the asset).
   */
  fileUris: string[];
}

const FILE_URI_TAGS = new Set(['EXT-X-MAP', 'EXT-X-PART', 'EXT-X-PRELOAD-HINT']);

export function readMediaPlaylist(text: string): MediaPlaylist {
  const out: MediaPlaylist = {
    targetDurationSeconds: 0,
    mediaSequence: 0,
    encrypted: false,
    mapUri: undefined,
    segments: [],
    fileUris: [],
  };
  const seen = new Set<string>();
  const file = (uri: string | undefined) => {
    if (uri !== undefined && uri !== '' && !seen.has(uri)) {
      seen.add(uri);
      out.fileUris.push(uri);
    }
  };
  let duration: number | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (!line.startsWith('#')) {
      file(line);
      out.segments.push({ uri: line, durationSeconds: duration ?? 0 });
      duration = undefined;
      continue;
    }
    const [tag, rest] = splitTag(line);
    if (tag === 'EXT-X-TARGETDURATION') out.targetDurationSeconds = Number(rest);
    else if (tag === 'EXT-X-MEDIA-SEQUENCE') out.mediaSequence = Number(rest);
    else if (tag === 'EXT-X-KEY') out.encrypted ||= parseAttributes(rest).get('METHOD') !== 'NONE';
    else if (tag === 'EXTINF') duration = Number.parseFloat(rest);
    else if (FILE_URI_TAGS.has(tag)) {
      const uri = unquote(parseAttributes(rest).get('URI'));
      if (tag === 'EXT-X-MAP' && out.mapUri === undefined) out.mapUri = uri;
      file(uri);
    }
  }
  return out;
}

/*
 * Media playlists the encoder edits after ffmpeg wrote them. Both edits keep every line they do not
 * change as ffmpeg wrote it: an assembled chunked encode's playlists are checked byte for byte against
 * a one-piece encode's, so re-serialising tags from a model would be a change of its own.
 */

/**
 * The playlist with `#EXT-X-KEY:<attributes>` after its init segment (`#EXT-X-MAP`), or before its
 * first segment when it has none: the key then covers every media segment and never the init.
 */
export function addMediaPlaylistKey(text: string, key: AttributeList): string {
  const keyLine = `#EXT-X-KEY:${serializeAttributes(key)}`;
  const out: string[] = [];
  let keyed = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!keyed && line.startsWith('#EXTINF')) {
      out.push(keyLine);
      keyed = true;
    }
    out.push(raw);
    if (!keyed && line.startsWith('#EXT-X-MAP')) {
      out.push(keyLine);
      keyed = true;
    }
  }
  return out.join('\n');
}

/**
 * Consecutive pieces of one rendition (a chunked encode's chunks, in order) as one VOD playlist: the
 * first piece's header with the largest target duration and media sequence 0, every segment line in
 * order, one `#EXT-X-ENDLIST`.
 */
export function joinMediaPlaylists(pieces: readonly string[]): string {
  let header: string[] | undefined;
  let target = 0;
  const segments: string[] = [];
  for (const text of pieces) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    const first = lines.findIndex((l) => l.startsWith('#EXTINF'));
    if (first < 0) throw new Error('a playlist to join has no segment');
    header ??= lines.slice(0, first);
    target = Math.max(target, readMediaPlaylist(text).targetDurationSeconds);
    segments.push(...lines.slice(first).filter((l) => l !== '#EXT-X-ENDLIST'));
  }
  const head = (header ?? []).map((l) => {
    if (l.startsWith('#EXT-X-TARGETDURATION:')) return `#EXT-X-TARGETDURATION:${target}`;
    if (l.startsWith('#EXT-X-MEDIA-SEQUENCE:')) return '#EXT-X-MEDIA-SEQUENCE:0';
    return l;
  });
  return `${[...head, ...segments, '#EXT-X-ENDLIST'].join('\n')}\n`;
}

/** The files one playlist of an asset plays, at the video height they belong to (0: audio, subtitles). */
export type PlaylistFiles = AssetPlaylistFiles;

/** A playlist a master names, as a path inside the asset, at the video height it plays (0: not video). */
export interface NamedPlaylist {
  path: string;
  height: number;
}

/**
 * Every playlist a master names — renditions at height 0, then video and I-frame variants at their
 * RESOLUTION height. URIs that are absolute or escape the asset are left out: they are not the
 * asset's playlists.
 */
export function namedPlaylists(master: MasterPlaylist, masterPath = 'master.m3u8'): NamedPlaylist[] {
  const named: NamedPlaylist[] = [];
  for (const r of master.renditions) {
    const path = resolveAssetPath(masterPath, unquote(r.get('URI')) ?? '');
    if (path) named.push({ path, height: 0 });
  }
  for (const v of master.variants) {
    const path = resolveAssetPath(masterPath, v.uri);
    if (path) named.push({ path, height: resolutionHeight(v.attrs) ?? 0 });
  }
  return named;
}

/**
 * Every playlist a master names with the files each plays, as paths inside the asset (files outside
 * the asset are left out). `playlistText` gives the text of a playlist by path; every playlist the
 * master names must be there.
 */
export function assetPlaylistFiles(
  master: MasterPlaylist,
  playlistText: (path: string) => string | undefined,
  masterPath = 'master.m3u8',
): PlaylistFiles[] {
  return namedPlaylists(master, masterPath).map(({ path, height }) => {
    const text = playlistText(path);
    if (text === undefined) throw new RangeError(`playlist ${path} is missing`);
    const files = readMediaPlaylist(text)
      .fileUris.map((uri) => resolveAssetPath(path, uri))
      .filter((p): p is string => p !== undefined);
    return { path, height, files };
  });
}
