import type { OutboxTables } from '@marquee/platform';
import type { AssetState } from '../app/asset-state.js';
import type { Maturity } from '@marquee/contracts';
import type { AssetContentKeysTable } from './content-keys-store.js';

export type TitleKind = 'movie' | 'series' | 'episode';

/**
 * The streaming service's own tables. Instants are ISO-8601 UTC text (sorts in time order on both
 * dialects); JSON lives in text columns (see jsonColumn); booleans are 0/1 integers.
 */
export interface StreamingTables extends OutboxTables {
  titles: TitlesTable;
  title_genres: TitleGenresTable;
  title_terms: TitleTermsTable;
  assets: AssetsTable;
  playback_sessions: PlaybackSessionsTable;
  edges: EdgesTable;
  asset_content_keys: AssetContentKeysTable;
}

export interface TitlesTable {
  title_id: string;
  kind: TitleKind;
  /** The series of an episode; null otherwise. */
  series_id: string | null;
  season: number | null;
  episode_number: number | null;
  name: string;
  synopsis: string;
  year: number;
  maturity: Maturity;
  /** JSON array of lower-case genre names (also indexed in title_genres). */
  genres: string;
  /** Blob key of the poster of the title's playable asset (for a series: of its first ready episode). */
  poster_key: string | null;
  /** The asset viewers play: the newest ready one. */
  ready_asset_id: string | null;
  /** Set once, when the title first became visible to viewers (title.published). */
  published_at: string | null;
  /** Set while the operator has unpublished the title (or its series): hidden and not playable. */
  withdrawn_at: string | null;
  /** Playback starts: the popularity the fallback home rows and edge pre-fill rank by. */
  plays: number;
  created_at: string;
  updated_at: string;
}

export interface TitleGenresTable {
  title_id: string;
  genre: string;
}

/** Trigram postings for typo-tolerant search (see app/search-terms.ts). */
export interface TitleTermsTable {
  title_id: string;
  term: string;
  /** How much a match on this term counts: name trigrams weigh more than synopsis ones. */
  weight: number;
}

export interface AssetsTable {
  asset_id: string;
  title_id: string;
  state: AssetState;
  /** 0..1 while encoding. */
  progress: number;
  stage: string | null;
  /** Why the asset failed, for a person. */
  reason: string | null;
  /** JSON array of {height, width, bandwidth, codecs} once ready. */
  renditions: string | null;
  duration_seconds: number | null;
  poster_key: string | null;
  upload_id: string | null;
  filename: string | null;
  created_at: string;
  updated_at: string;
}

export interface PlaybackSessionsTable {
  session_id: string;
  account_id: string;
  profile_id: string;
  title_id: string;
  asset_id: string;
  max_height: number;
  /** Seconds into the title, from the last heartbeat. */
  position: number;
  duration_seconds: number | null;
  created_at: string;
  /** When the media token stops working. */
  expires_at: string;
  stopped_at: string | null;
}

export interface EdgesTable {
  edge_id: string;
  /** Public base URL viewers fetch media from. */
  url: string;
  healthy: number;
  /** 0 idle … 1 saturated, as reported. */
  load: number;
  /** JSON array of asset ids the edge holds in a cache tier (bounded by the reporter). */
  assets: string;
  /** Epoch milliseconds of the last report. */
  last_seen: number;
  /** JSON {ram, disk, total} cache hit ratios, 0…1, as last reported; null if never reported. */
  hit_ratio: string | null;
}
