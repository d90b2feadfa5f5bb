import { heightOf, parseAttributes, resolveAssetPath, splitTag, unquote } from './hls-attributes.js';

/**
 * Which video height each file of an asset belongs to, read from the asset's own playlists rather
 * than guessed from file names: the master names every video variant's playlist and RESOLUTION, and
 * each variant playlist names its init segment and media segments. Whatever layout the encoder uses,
 * a segment of the 1080p rendition is known to be 1080p, so a 720p token cannot fetch it.
 * Files of audio and subtitle renditions, and images (posters, thumbnails), have height 0; a media
 * file no playlist lists at all is refused (it could be anything — a mezzanine, a download).
 */
export interface VariantPlaylist {
  /** Path of the playlist inside the asset. */
  path: string;
  height: number;
}

/** Every playlist a master names: video variants and I-frame playlists with their heights, then
 * audio and subtitle renditions (EXT-X-MEDIA) at height 0. */
export function playlistsOf(master: string): VariantPlaylist[] {
  const out: VariantPlaylist[] = [];
  let pendingHeight: number | undefined;
  for (const raw of master.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MEDIA:')) {
      const path = resolveAssetPath(
        'master.m3u8',
        unquote(parseAttributes(splitTag(line)[1]).get('URI')) ?? '',
      );
      if (path) out.push({ path, height: 0 });
    } else if (line.startsWith('#EXT-X-STREAM-INF:')) {
      pendingHeight = heightOf(parseAttributes(splitTag(line)[1])) ?? 0;
    } else if (line.startsWith('#EXT-X-I-FRAME-STREAM-INF:')) {
      const attrs = parseAttributes(splitTag(line)[1]);
      const path = resolveAssetPath('master.m3u8', unquote(attrs.get('URI')) ?? '');
      if (path) out.push({ path, height: heightOf(attrs) ?? 0 });
    } else if (line && !line.startsWith('#') && pendingHeight !== undefined) {
      const path = resolveAssetPath('master.m3u8', line);
      if (path) out.push({ path, height: pendingHeight });
      pendingHeight = undefined;
    }
  }
  return out;
}

/** Every file a media playlist references: segments, the init segment (EXT-X-MAP) and parts. */
export function filesOf(playlistPath: string, playlist: string): string[] {
  const out = new Set<string>();
  for (const raw of playlist.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    let uri: string | undefined;
    if (line.startsWith('#')) {
      const [tag, rest] = splitTag(line);
      if (tag === 'EXT-X-MAP' || tag === 'EXT-X-PART' || tag === 'EXT-X-PRELOAD-HINT') {
        uri = unquote(parseAttributes(rest).get('URI'));
      }
    } else {
      uri = line;
    }
    const path = uri === undefined ? undefined : resolveAssetPath(playlistPath, uri);
    if (path) out.add(path);
  }
  return [...out];
}

/** Extensions of audio/video containers: unlisted files with these are never served. */
const MEDIA_FILE = /\.(m4s|mp4|m4v|m4a|ts|aac|ac3|ec3|mov|mkv|webm|cmfv|cmfa|mpd|m3u8)$/i;

/** Audio/video files (and playlists): the ones whose access depends on the rendition index. */
export function isMediaFile(path: string): boolean {
  return MEDIA_FILE.test(path);
}

export class RenditionIndex {
  constructor(private readonly heights: ReadonlyMap<string, number>) {}

  /** The video height `path` belongs to: 0 for audio, subtitles and images; Infinity for unlisted media. */
  heightOf(path: string): number {
    return this.heights.get(path) ?? (MEDIA_FILE.test(path) ? Number.POSITIVE_INFINITY : 0);
  }

  get size(): number {
    return this.heights.size;
  }
}

/**
 * Builds the index from the master and the text of every playlist it names (all must be given, or a
 * missing variant's segments would look unlisted). A file listed by several playlists counts at its
 * lowest height: the same bytes are allowed to the lowest plan.
 */
export function buildRenditionIndex(master: string, playlists: ReadonlyMap<string, string>): RenditionIndex {
  const heights = new Map<string, number>();
  const note = (path: string, height: number) =>
    heights.set(path, Math.min(heights.get(path) ?? height, height));
  for (const variant of playlistsOf(master)) {
    note(variant.path, variant.height);
    const text = playlists.get(variant.path);
    if (text === undefined) throw new RangeError(`playlist ${variant.path} is missing from the index input`);
    for (const file of filesOf(variant.path, text)) note(file, variant.height);
  }
  return new RenditionIndex(heights);
}
