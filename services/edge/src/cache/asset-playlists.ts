import { blobKeyOf, MASTER_PLAYLIST } from '../app/media-path.js';
import { buildRenditionIndex, playlistsOf, type RenditionIndex } from '../app/rendition-index.js';
import type { MediaCache } from './media-cache.js';

const MAX_INDEXES = 2_000;

/** An index being built, and once it is, the index itself (for answers that must not wait). */
interface IndexEntry {
  pending: Promise<RenditionIndex>;
  built?: RenditionIndex;
}

/**
 * An asset's master playlist and rendition index, read through the cache tiers (so they are filled,
 * coalesced and kept like any object) and memoised per asset: an asset never changes once published.
 */
export class AssetPlaylists {
  private readonly indexes = new Map<string, IndexEntry>();

  constructor(private readonly cache: MediaCache) {}

  async master(assetId: string): Promise<string> {
    return (await this.cache.get(blobKeyOf(assetId, MASTER_PLAYLIST))).object.body.toString('utf8');
  }

  /** Throws (and forgets the attempt) when the master or any playlist it names cannot be had. */
  index(assetId: string): Promise<RenditionIndex> {
    let entry = this.indexes.get(assetId);
    if (!entry) {
      const pending = this.build(assetId);
      const fresh: IndexEntry = { pending };
      if (this.indexes.size >= MAX_INDEXES) this.indexes.delete(this.indexes.keys().next().value!);
      this.indexes.set(assetId, fresh);
      pending.then(
        (built) => (fresh.built = built),
        () => {
          if (this.indexes.get(assetId) === fresh) this.indexes.delete(assetId);
        },
      );
      entry = fresh;
    }
    return entry.pending;
  }

  /** The index if it is built already, without waiting (the request path's common case). */
  indexNow(assetId: string): RenditionIndex | undefined {
    return this.indexes.get(assetId)?.built;
  }

  private async build(assetId: string): Promise<RenditionIndex> {
    const master = await this.master(assetId);
    const playlists = new Map<string, string>();
    await Promise.all(
      playlistsOf(master).map(async ({ path }) => {
        playlists.set(path, (await this.cache.get(blobKeyOf(assetId, path))).object.body.toString('utf8'));
      }),
    );
    return buildRenditionIndex(master, playlists);
  }
}
