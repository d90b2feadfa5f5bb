import { NotFoundError, profileRecordKey } from '@marquee/core';
import type { Cache } from '@marquee/platform';

export interface ProfileRecord {
  profileId: string;
  accountId: string;
  kids: boolean;
  maxMaturity: string;
  /** When its PIN was set (profile locks); null or absent when it has none. */
  lockedAt?: string | null;
}

/** Asks the owner of profiles (users) for one; null when it does not exist. */
export type ProfileLookup = (profileId: string) => Promise<ProfileRecord | null>;

/**
 * "A profile id in a path must belong to the caller." Owners are cached briefly in the cache port
 * (profiles never change hands; a deleted one is refused by users itself), so a page that fires ten
 * profile calls costs users one lookup.
 */
export class ProfileOwnership {
  constructor(
    private readonly cache: Cache,
    private readonly lookup: ProfileLookup,
    private readonly ttlMs: number,
  ) {}

  /**
   * The profile when it belongs to `accountId`; otherwise a 404 — the same answer as for a profile
   * that does not exist, so profile ids of other accounts cannot be probed.
   */
  async requireOwned(accountId: string, profileId: string): Promise<ProfileRecord> {
    const profile = await this.cache.getOrLoad(profileRecordKey(profileId), this.ttlMs, () =>
      this.lookup(profileId),
    );
    if (!profile || profile.accountId !== accountId) throw new NotFoundError('profile', profileId);
    return profile;
  }
}
