import { DomainError, PROFILE_KEY_HEADER, sessionConfinementKey, verifyProfileKey } from '@marquee/core';
import type { Cache } from '@marquee/platform';
import type { ProfileRecord } from './profile-ownership.js';

/** Asks users which kids profile a session (device) is confined to; null when none. */
export type ConfinementLookup = (sessionId: string) => Promise<string | null>;

export type LockDecision =
  { allowed: true } | { allowed: false; code: 'profile.locked' | 'profile.confined' };

/** Routes that carry their own proof (the PIN, the account password) or only state a choice. */
const OWN_PROOF = /^\/api\/profiles\/[^/]+\/(unlock|pin|enter)$/;
/** What a device kept in a kids profile may still call without naming a profile: the catalog and its player. */
const KIDS_DEVICE_OPEN = [/^\/api\/titles(\/|$)/, /^\/api\/playback\//, /^\/api\/steering\//];

/**
 * Pure: may this request go on, given the profile it names (in its path or body), the kids profile its
 * device is confined to, and whether it carries a valid profile key for the named profile?
 *
 * - A confined device acts as its kids profile whatever it sends: naming another profile, managing the
 *   kids profile itself, or any account route (no profile named: account, sessions, new profiles,
 *   admin) is `403 profile.confined`; the catalog, its own playback and the profile list stay open.
 * - An adult profile with a PIN needs a profile key (`403 profile.locked`), except on the routes that
 *   take the PIN or the password themselves. A kids profile's PIN guards leaving it, not entering it.
 */
export function decideProfileLock(input: {
  method: string;
  path: string;
  profile: Pick<ProfileRecord, 'profileId' | 'kids' | 'lockedAt'> | undefined;
  confinedTo: string | null;
  keyValid: boolean;
}): LockDecision {
  const { method, path, profile, confinedTo } = input;
  if (confinedTo !== null) {
    if (!profile) {
      const open =
        ((method === 'GET' || method === 'HEAD') && path === '/api/profiles') ||
        KIDS_DEVICE_OPEN.some((p) => p.test(path));
      return open ? { allowed: true } : { allowed: false, code: 'profile.confined' };
    }
    if (profile.profileId !== confinedTo) return { allowed: false, code: 'profile.confined' };
    if (path === `/api/profiles/${profile.profileId}` && method !== 'GET') {
      return { allowed: false, code: 'profile.confined' };
    }
    return { allowed: true };
  }
  if (!profile || profile.kids || !profile.lockedAt || OWN_PROOF.test(path)) return { allowed: true };
  return input.keyValid ? { allowed: true } : { allowed: false, code: 'profile.locked' };
}

/** Whether the confinement must be read: hot catalog and player calls that name no profile skip it. */
export function needsConfinement(method: string, path: string, namesProfile: boolean): boolean {
  if (namesProfile) return true;
  if ((method === 'GET' || method === 'HEAD') && path === '/api/profiles') return false;
  return !KIDS_DEVICE_OPEN.some((p) => p.test(path));
}

/**
 * Enforces profile locks at the gateway (docs/users.md, profile locks): a profile key is checked with
 * the shared secret, no call; a session's confinement is cached under a key users deletes when it
 * changes, so a change applies to the next request and an evicted entry is asked again.
 */
export class ProfileLockGuard {
  constructor(
    private readonly deps: {
      cache: Pick<Cache, 'getOrLoad'>;
      lookup: ConfinementLookup;
      secret: string;
      ttlMs: number;
      now?: () => number;
    },
  ) {}

  async check(input: {
    method: string;
    path: string;
    sessionId: string;
    profile: ProfileRecord | undefined;
    headers: Record<string, string | string[] | undefined>;
  }): Promise<void> {
    const { method, path, sessionId, profile } = input;
    if (!needsConfinement(method, path, profile !== undefined)) return;
    const confinedTo = await this.deps.cache.getOrLoad(
      sessionConfinementKey(sessionId),
      this.deps.ttlMs,
      () => this.deps.lookup(sessionId),
    );
    const raw = input.headers[PROFILE_KEY_HEADER];
    const keyValid =
      profile?.lockedAt != null &&
      verifyProfileKey(
        this.deps.secret,
        Array.isArray(raw) ? raw[0] : raw,
        { sessionId, profileId: profile.profileId, lockedAt: profile.lockedAt },
        this.deps.now?.() ?? Date.now(),
      );
    const decision = decideProfileLock({ method, path, profile, confinedTo, keyValid });
    if (decision.allowed) return;
    throw decision.code === 'profile.locked'
      ? new DomainError('profile.locked', 'This profile is locked: type its PIN to open it', {
          profileId: profile?.profileId,
        })
      : new DomainError(
          'profile.confined',
          'This device is in a kids profile: type that profile’s PIN to leave it',
          { profileId: confinedTo },
        );
  }
}
