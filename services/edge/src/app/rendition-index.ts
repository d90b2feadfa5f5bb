import type { PlaylistFiles } from '@marquee/core/hls';

/**
 * Which video height each file of an asset belongs to, from the asset's own playlists rather than
 * guessed from file names: the master names every video variant's playlist and RESOLUTION, and each
 * variant playlist names its init segment and media segments. Whatever layout the encoder uses, a
 * segment of the 1080p rendition is known to be 1080p, so a 720p token cannot fetch it. The encoder
 * writes this list into the asset's `asset.json` (see cache/asset-playlists.ts).
 * Files of audio and subtitle renditions, and images (posters, thumbnails), have height 0; a media
 * file no playlist lists at all is refused (it could be anything — a mezzanine, a download).
 */

/** Extensions of audio/video containers: unlisted files with these are never served. */
const MEDIA_FILE = /\.(m4s|mp4|m4v|m4a|ts|aac|ac3|ec3|mov|mkv|webm|cmfv|cmfa|mpd|m3u8)$/i;

/** Audio/video files (and playlists): the ones whose access depends on the rendition index. */
export function isMediaFile(path: string): boolean {
  return MEDIA_FILE.test(path);
}

export class RenditionIndex {
  private readonly heights = new Map<string, number>();

  /**
   * A file listed by several playlists counts at its lowest height: the same bytes are allowed to
   * the lowest plan. Each playlist itself counts at its own height.
   */
  constructor(readonly playlists: readonly PlaylistFiles[]) {
    const note = (path: string, height: number) =>
      this.heights.set(path, Math.min(this.heights.get(path) ?? height, height));
    for (const playlist of playlists) {
      note(playlist.path, playlist.height);
      for (const file of playlist.files) note(file, playlist.height);
    }
  }

  /** The video height `path` belongs to: 0 for audio, subtitles and images; Infinity for unlisted media. */
  heightOf(path: string): number {
    return this.heights.get(path) ?? (MEDIA_FILE.test(path) ? Number.POSITIVE_INFINITY : 0);
  }

  get size(): number {
    return this.heights.size;
  }
}
