/** HLS playlists (`@marquee/core/hls`): one reader and writer for the services that touch playlists. */
export {
  isRelativeUri,
  parseAttributes,
  quote,
  resolveAssetPath,
  serializeAttributes,
  splitTag,
  unquote,
  type AttributeList,
} from './attribute-list.js';
export {
  addMediaPlaylistKey,
  assetPlaylistFiles,
  joinMediaPlaylists,
  namedPlaylists,
  readMasterPlaylist,
  readMediaPlaylist,
  resolutionHeight,
  writeMasterPlaylist,
  type MasterPlaylist,
  type MasterVariant,
  type MediaPlaylist,
  type MediaSegment,
  type NamedPlaylist,
  type PlaylistFiles,
} from './playlists.js';
