import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Profile locks (issue 17 item 5), shared by users, which checks PINs, and the gateway, which enforces
 * them on every request that names a profile, with no call to users.
 *
 * - A **profile key** proves that this session typed the PIN of a locked profile: an HMAC, under a key
 *   derived from MARQUEE_SECRET, over the session id, the profile id, the time its PIN was set and an
 *   expiry. It is worthless on another session, dies with a PIN change, and is sent by the client in the
 *   `Marquee-Profile-Key` header.
 * - A **confined** session is a device that entered a kids profile with a PIN: until that PIN is typed
 *   again, the device acts as that kids profile whatever it sends (account pages and other profiles are
 *   refused). Users keeps it in its database; the gateway caches it under `sessionConfinementKey`, which
 *   users deletes when it changes, so a change applies to the next request.
 *
 * @example
 *   const key = issueProfileKey(secret, { sessionId, profileId, lockedAt }, now);   // users, PIN right
 *   verifyProfileKey(secret, header, { sessionId, profileId, lockedAt }, now);      // gateway: boolean
 */
export const PROFILE_KEY_HEADER = 'marquee-profile-key';

/** A typed PIN holds for half a day on one device, then the profile asks again. */
export const PROFILE_KEY_TTL_MS = 12 * 3600 * 1000;

export interface ProfileLockSubject {
  sessionId: string;
  profileId: string;
  /** When the profile's PIN was set (ISO): a new PIN retires every key issued under the old one. */
  lockedAt: string;
}

/** The gateway's cache key of a profile's owner and lock (users deletes it when the lock changes). */
export const profileRecordKey = (profileId: string) => `gw:profile:${profileId}`;
/** The gateway's cache key of a session's confinement (users deletes it when it changes). */
export const sessionConfinementKey = (sessionId: string) => `gw:confinement:${sessionId}`;

function macOf(secret: string, subject: ProfileLockSubject, expiresAt: number): Buffer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'marquee', 'marquee-profile-key-v1', 32));
  const body = `${subject.sessionId}\n${subject.profileId}\n${subject.lockedAt}\n${expiresAt}`;
  return createHmac('sha256', key).update(body).digest();
}

export function issueProfileKey(
  secret: string,
  subject: ProfileLockSubject,
  now: number,
): { profileKey: string; expiresAt: string } {
  const expiresAt = now + PROFILE_KEY_TTL_MS;
  const mac = macOf(secret, subject, expiresAt).toString('base64url');
  return { profileKey: `${expiresAt.toString(36)}.${mac}`, expiresAt: new Date(expiresAt).toISOString() };
}

/** False for anything malformed, expired, or made for another session, profile or PIN. */
export function verifyProfileKey(
  secret: string,
  profileKey: string | undefined,
  subject: ProfileLockSubject,
  now: number,
): boolean {
  const match = profileKey ? /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(profileKey) : null;
  if (!match) return false;
  const expiresAt = parseInt(match[1]!, 36);
  if (!(expiresAt > now) || expiresAt > now + PROFILE_KEY_TTL_MS) return false;
  const given = Buffer.from(match[2]!, 'base64url');
  const expected = macOf(secret, subject, expiresAt);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
