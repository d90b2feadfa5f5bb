import type { ContinueWatchingEntry } from './home-rows.js';
import type { Maturity } from '@marquee/contracts';

export interface ProfileInfo {
  name: string;
  kids: boolean;
  maxMaturity: Maturity;
}

/**
 * What the recommender asks the users service at request time. Each call may fail (UpstreamError):
 * the home page then omits the rows that need the answer and still renders the others.
 */
export interface UsersDirectory {
  /** undefined when the profile does not exist. */
  profile(profileId: string): Promise<ProfileInfo | undefined>;
  /** Titles in progress, most recent first. */
  continueWatching(profileId: string): Promise<ContinueWatchingEntry[]>;
  /** Title ids in the profile's list, most recently added first. */
  myList(profileId: string): Promise<string[]>;
}
