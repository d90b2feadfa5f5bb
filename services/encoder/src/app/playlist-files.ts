import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assetPlaylistFiles,
  namedPlaylists,
  readMasterPlaylist,
  type PlaylistFiles,
} from '@marquee/core/hls';

/**
 * The files of every playlist the master in `workDir` names, read back from what was written: what
 * asset.json lists so an edge knows each file's rendition without fetching the playlists.
 */
export async function listPlaylistFiles(workDir: string, masterPath: string): Promise<PlaylistFiles[]> {
  const master = readMasterPlaylist(await readFile(join(workDir, masterPath), 'utf8'));
  const texts = new Map<string, string>();
  for (const { path } of namedPlaylists(master, masterPath)) {
    texts.set(path, await readFile(join(workDir, path), 'utf8'));
  }
  return assetPlaylistFiles(master, (path) => texts.get(path), masterPath);
}
