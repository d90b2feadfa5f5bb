import { Type, type Static } from '@sinclair/typebox';

/**
 * `assets/<assetId>/asset.json`: what the encoder stores beside an encoded asset — the `media.encoded`
 * data it announced (so a redelivered job can announce it again) and, since issue 21, the files of
 * every playlist at the video height they belong to. An edge reads its rendition index from here
 * (one object) instead of fetching and parsing every playlist; an asset.json without `playlists`
 * (encoded before) makes the edge read the playlists themselves. `playlists` is never part of the
 * event: a two-hour film lists thousands of files.
 */
export const PlaylistFilesSchema = Type.Object({
  /** The playlist's path inside the asset, e.g. `v720/index.m3u8`. */
  path: Type.String({ minLength: 1, maxLength: 512 }),
  /** The video height the playlist plays; 0 for audio and subtitle renditions. */
  height: Type.Integer({ minimum: 0 }),
  /** Paths inside the asset of every file the playlist plays, the init segment first. */
  files: Type.Array(Type.String({ minLength: 1, maxLength: 512 })),
});

export const AssetSummaryFiles = Type.Object({
  playlists: Type.Optional(Type.Array(PlaylistFilesSchema)),
});

export type AssetPlaylistFiles = Static<typeof PlaylistFilesSchema>;

export const ASSET_SUMMARY_FILE = 'asset.json';
