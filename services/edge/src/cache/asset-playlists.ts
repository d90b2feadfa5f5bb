import { AssetSummaryFiles, ASSET_SUMMARY_FILE } from '@marquee/contracts/asset-summary';
import { NotFoundError } from '@marquee/core';
import { describeDashAsset, type DashDescription } from '@marquee/core/dash';
import {
  assetPlaylistFiles,
  namedPlaylists,
  readMasterPlaylist,
  type PlaylistFiles,
} from '@marquee/core/hls';
import { Memo } from '@marquee/platform';
import { Value } from '@sinclair/typebox/value';
import { blobKeyOf, MASTER_PLAYLIST } from '../app/media-path.js';
import { RenditionIndex } from '../app/rendition-index.js';
import type { MediaCache } from './media-cache.js';

const MAX_INDEXES = 2_000;
/** A DASH description lists every segment of every rendition: fewer are kept than indexes. */
const MAX_DASH_ASSETS = 200;

/** An index being built, and once it is, the index itself (for answers that must not wait). */
interface IndexEntry {
  pending: Promise<RenditionIndex>;
  built?: RenditionIndex;
}

/**
 * An asset's master playlist and rendition index, read through the cache tiers (so they are filled,
 * coalesced and kept like any object) and memoised per asset: an asset never changes once published.
 * The index comes from the `asset.json` the encoder writes beside the asset (one object); an asset
 * encoded before that file listed its playlists' files has them read from the playlists themselves.
 * Both memos keep the assets most recently played.
 */
export class AssetPlaylists {
  private readonly indexes = new Memo<string, IndexEntry>({ max: MAX_INDEXES });
  private readonly dashAssets = new Memo<string, Promise<DashDescription>>({ max: MAX_DASH_ASSETS });

  constructor(private readonly cache: MediaCache) {}

  async master(assetId: string): Promise<string> {
    return this.text(assetId, MASTER_PLAYLIST);
  }

  /** Throws (and forgets the attempt) when neither asset.json nor the playlists can be had. */
  index(assetId: string): Promise<RenditionIndex> {
    let entry = this.indexes.get(assetId);
    if (!entry) {
      const pending = this.build(assetId);
      const fresh: IndexEntry = { pending };
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

  /**
   * The asset described for DASH (its MPD's renditions and segment timelines), or why it cannot be
   * DASH, from its master and media playlists. Memoised; a failed read is forgotten.
   */
  dash(assetId: string): Promise<DashDescription> {
    let pending = this.dashAssets.get(assetId);
    if (!pending) {
      pending = this.playlistTexts(assetId).then(({ master, texts }) =>
        describeDashAsset(master, (path) => texts.get(path)),
      );
      this.dashAssets.set(assetId, pending);
      const failed = pending;
      failed.catch(() => {
        if (this.dashAssets.get(assetId) === failed) this.dashAssets.delete(assetId);
      });
    }
    return pending;
  }

  private async text(assetId: string, path: string): Promise<string> {
    return (await this.cache.get(blobKeyOf(assetId, path))).object.body.toString('utf8');
  }

  private async build(assetId: string): Promise<RenditionIndex> {
    let listed: PlaylistFiles[] | undefined;
    try {
      listed = await this.listedInSummary(assetId);
    } catch (err) {
      // asset.json could not be had (the origin is down, say): the playlists may still be held on this
      // edge's disk from before a restart, and an index built from them serves what the edge holds.
      try {
        return new RenditionIndex(await this.readPlaylists(assetId));
      } catch {
        throw err;
      }
    }
    return new RenditionIndex(listed ?? (await this.readPlaylists(assetId)));
  }

  /** The playlists' files as the encoder listed them in asset.json, or undefined when it did not. */
  private async listedInSummary(assetId: string): Promise<PlaylistFiles[] | undefined> {
    let summary: unknown;
    try {
      summary = JSON.parse(await this.text(assetId, ASSET_SUMMARY_FILE));
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof SyntaxError) return undefined;
      throw err;
    }
    return Value.Check(AssetSummaryFiles, summary) ? summary.playlists : undefined;
  }

  private async readPlaylists(assetId: string): Promise<PlaylistFiles[]> {
    const { master, texts } = await this.playlistTexts(assetId);
    return assetPlaylistFiles(readMasterPlaylist(master), (path) => texts.get(path));
  }

  /** The master's text and the text of every playlist it names, by path inside the asset. */
  private async playlistTexts(assetId: string): Promise<{ master: string; texts: Map<string, string> }> {
    const master = await this.master(assetId);
    const texts = new Map<string, string>();
    await Promise.all(
      namedPlaylists(readMasterPlaylist(master)).map(async ({ path }) =>
        texts.set(path, await this.text(assetId, path)),
      ),
    );
    return { master, texts };
  }
}
