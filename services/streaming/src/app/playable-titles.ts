import { Memo, type Database } from '@marquee/platform';
import { findAsset, renditionsOf, type AssetRow } from '../store/assets-store.js';
import type { StreamingTables } from '../store/tables.js';
import { findTitle, type TitleRow } from '../store/titles-store.js';
import type { Rendition } from './asset-state.js';

export interface Playable {
  title: TitleRow;
  asset: (AssetRow & { ladder: Rendition[] }) | undefined;
}

const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * A title with its playable asset, memoised for a few seconds: every start of a popular title needs
 * the same two rows (rating, ladder), which change only when a new encode lands. A title that has just
 * become ready is seen by every instance within TTL_MS (at once by the instance that applied it).
 */
export class PlayableTitles {
  // Wrapped: a title that does not exist is memoised too.
  private readonly memo: Memo<string, { value: Playable | undefined }>;

  constructor(
    private readonly db: Database<StreamingTables>,
    now?: () => number,
  ) {
    this.memo = new Memo({ max: MAX_ENTRIES, ttlMs: TTL_MS, ...(now ? { now } : {}) });
  }

  async get(titleId: string): Promise<Playable | undefined> {
    const hit = this.memo.get(titleId);
    if (hit) return hit.value;
    const title = await findTitle(this.db.read, titleId);
    const asset = title?.ready_asset_id ? await findAsset(this.db.read, title.ready_asset_id) : undefined;
    const value = title && { title, asset: asset && { ...asset, ladder: renditionsOf(asset) } };
    this.memo.set(titleId, { value });
    return value;
  }

  forget(titleId: string): void {
    this.memo.delete(titleId);
  }
}
