import type { Maturity } from '@marquee/contracts';

/**
 * What an event means to the recommender, independent of its envelope. `version` is
 * `<event time>|<event id>`: facts change only for a greater version (see store/tables.ts).
 */
export type RecommenderChange =
  TitleChange | ProfileChange | PlaybackChange | RatingChange | ListChange | AccountDeletedChange;

/** The owner deleted the account: its profiles and their interactions go (issue 17 item 6). */
export interface AccountDeletedChange {
  kind: 'account_deleted';
  accountId: string;
  profileIds: string[];
  at: string;
}

export interface TitleChange {
  kind: 'title';
  titleId: string;
  name: string;
  genres: string[];
  maturity: Maturity;
  year: number;
  posterUrl: string | null;
  seriesId: string | null;
  at: string;
  version: string;
}

export interface ProfileChange {
  kind: 'profile';
  profileId: string;
  accountId: string;
  kids: boolean;
  maxMaturity: Maturity;
  at: string;
}

export interface PlaybackChange {
  kind: 'playback';
  profileId: string;
  titleId: string;
  /** Share watched at this event, when the duration is known. */
  completion: number | undefined;
  /** True for playback.started: a trending vote. */
  started: boolean;
  at: string;
}

export interface RatingChange {
  kind: 'rating';
  profileId: string;
  titleId: string;
  rating: 'up' | 'down' | null;
  at: string;
  version: string;
}

export interface ListChange {
  kind: 'list';
  profileId: string;
  titleId: string;
  inList: boolean;
  at: string;
  version: string;
}

/** The profile whose home a change affects (its cached rows must go), if any. */
export function affectedProfile(change: RecommenderChange): string | undefined {
  return change.kind === 'title' || change.kind === 'account_deleted' ? undefined : change.profileId;
}
