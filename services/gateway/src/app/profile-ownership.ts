import { NotFoundError, profileRecordKey, type VerifiedProfile } from '@marquee/core';
import { isMaturity } from '@marquee/contracts';
import type { Cache } from '@marquee/platform';

export interface ProfileRecord {
  profileId: string;
  accountId: string;
  kids: boolean;
  maxMaturity: string;
  /** When its PIN was set (profile locks); null or absent when it has none. */
  lockedAt?: string | null;
}

/**
 * The facts of an owned profile that the gateway passes on in the identity it forwards (identity.ts), so
 * streaming decides a playback start without asking users for the profile again; undefined when users'
 * answer holds a value the contract does not know, and then nothing is passed on (streaming asks users).
 */
export function verifiedProfile(record: ProfileRecord): VerifiedProfile | undefined {
  if (typeof record.kids !== 'boolean' || !isMaturity(record.maxMaturity)) return undefined;
  return { profileId: record.profileId, kids: record.kids, maxMaturity: record.maxMaturity };
}

/** Asks the owner of profiles (users) for one; null when it does not exist. */
export type ProfileLookup = (profileId: string) => Promise<ProfileRecord | null>;

/**
 * "A profile id in a path must belong to the caller." Records are cached briefly in the cache port
 * (profiles never change hands; a deleted one is refused by users itself), so a page that fires ten
 * profile calls costs users one lookup. The TTL also bounds how soon a changed maturity ceiling or kids
 * flag applies to a playback start, since the record's facts travel on to streaming (config.ts).
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
