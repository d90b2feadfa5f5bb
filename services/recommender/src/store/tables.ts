import type { Maturity } from '@marquee/contracts';

/**
 * The recommender's own tables: its copy of what other services announced in events. Instants are
 * ISO-8601 UTC text (they sort in time order on both dialects); booleans are 0/1 integers.
 *
 * Every mutable fact carries the `<time>|<event id>` of the event that set it (`*_version`): a fact
 * only changes for a later version, so applying the same events in any order, or twice, ends in the
 * same rows — which is what makes a replay rebuild the same model.
 */
export interface RecommenderTables {
  processed_events: ProcessedEventsTable;
  titles: TitlesTable;
  profiles: ProfilesTable;
  interactions: InteractionsTable;
}

export interface ProcessedEventsTable {
  event_id: string;
  event_type: string;
  processed_at: string;
}

export interface TitlesTable {
  title_id: string;
  name: string;
  /** JSON array of genre names. */
  genres: string;
  maturity: Maturity;
  year: number;
  poster_url: string | null;
  /** Set for an episode: its plays count for the series, and it is never recommended on its own. */
  series_id: string | null;
  /** Time of the first publication ("New on Marquee" orders by it). */
  published_at: string;
  metadata_version: string;
}

export interface ProfilesTable {
  profile_id: string;
  account_id: string;
  kids: number;
  max_maturity: Maturity;
  created_at: string;
}

export interface InteractionsTable {
  profile_id: string;
  title_id: string;
  /** 1 once any playback event was seen. */
  played: number;
  /** Highest share of the title watched, 0…1 (never decreases: a rewatch does not unfinish it). */
  completion: number;
  /** Newest playback.started time: one trending vote per profile and title. */
  last_started_at: string | null;
  rating: 'up' | 'down' | null;
  rating_version: string | null;
  in_list: number;
  list_version: string | null;
  /** Time of the newest event about this pair ("Because you watched" anchors on the latest). */
  last_event_at: string;
}
