import {
  DomainError,
  issueProfileKey,
  profileRecordKey,
  sessionConfinementKey,
  ValidationError,
} from '@marquee/core';
import type { Cache } from '@marquee/platform';
import { fromFlag } from '../store/executor.js';
import {
  confinementOf,
  confineSession,
  releaseSession,
  setProfilePin,
} from '../store/profile-locks-store.js';
import { confirmAccountHolder, type HolderProof } from './account-confirmation.js';
import type { UsersAppContext } from './context.js';
import { ownedProfile } from './profiles.js';

/** Wrong PINs per profile before it waits: 5 in 15 minutes (10,000 PINs: ~1 in 2,000 per window). */
const PIN_FAILURE_WINDOW_MS = 15 * 60_000;
const PIN_FAILURES_ALLOWED = 5;

const PIN = /^[0-9]{4}$/;

export class ConfinedError extends DomainError {
  constructor(profileId: string) {
    super('profile.confined', 'This device is in a kids profile: type that profile’s PIN to leave it first', {
      profileId,
    });
  }
}

/**
 * Profile locks (issue 17 item 5): a 4-digit PIN per profile, hashed like a password. An adult
 * profile with a PIN opens only with it (the answer is a profile key the gateway checks on every
 * request naming the profile); a device that enters a kids profile with a PIN is confined to it until
 * that PIN is typed. Wrong PINs are limited per profile in the cache port.
 */
export class ProfileLocks {
  constructor(
    private readonly ctx: UsersAppContext,
    private readonly deps: { cache: Pick<Cache, 'delete' | 'increment' | 'get'>; secret: string },
  ) {}

  /** Sets or changes the PIN; the account holder confirms with the password. */
  async setPin(accountId: string, profileId: string, pin: string, proof: HolderProof): Promise<void> {
    if (!PIN.test(pin)) throw new ValidationError('pin must be 4 digits', { field: 'pin' });
    await ownedProfile(this.ctx.db.write, accountId, profileId);
    await confirmAccountHolder(this.ctx, accountId, proof);
    const hash = await this.ctx.hasher.hash(pin);
    await setProfilePin(this.ctx.db.write, profileId, hash, this.ctx.clock().toISOString());
    await this.forgetProfile(profileId);
  }

  /** Removes the PIN (and with it any confinement to this profile). */
  async removePin(accountId: string, profileId: string, proof: HolderProof): Promise<void> {
    await ownedProfile(this.ctx.db.write, accountId, profileId);
    await confirmAccountHolder(this.ctx, accountId, proof);
    const released = await this.ctx.db.transaction(async (trx) => {
      await setProfilePin(trx, profileId, null, null);
      return releaseSession(trx, { profileId });
    });
    await this.forgetProfile(profileId);
    await Promise.all(released.map((sid) => this.deps.cache.delete(sessionConfinementKey(sid))));
  }

  /**
   * The PIN typed on this device: a profile key for this session (an adult profile opens), and the
   * end of the device's confinement when it is in this kids profile. A profile without a PIN needs none.
   */
  async unlock(
    accountId: string,
    sessionId: string | undefined,
    profileId: string,
    pin: string,
  ): Promise<{ profileId: string; profileKey: string | null; expiresAt: string | null }> {
    if (!sessionId) throw new DomainError('profile.session_unknown', 'Sign in again to unlock a profile');
    const row = await ownedProfile(this.ctx.db.write, accountId, profileId);
    if (row.pin_hash === null || row.pin_set_at === null) {
      return { profileId, profileKey: null, expiresAt: null };
    }
    const failures = `users:pin-failures:${profileId}`;
    if (((await this.deps.cache.get<number>(failures)) ?? 0) >= PIN_FAILURES_ALLOWED) throw tooMany();
    if (!(await this.ctx.hasher.verify(row.pin_hash, pin))) {
      const n = await this.deps.cache.increment(failures, PIN_FAILURE_WINDOW_MS);
      if (n >= PIN_FAILURES_ALLOWED) throw tooMany();
      throw new DomainError('profile.pin_wrong', 'That PIN is not right', {
        attemptsLeft: PIN_FAILURES_ALLOWED - n,
      });
    }
    await this.deps.cache.delete(failures);
    const released = await releaseSession(this.ctx.db.write, { sessionId, profileId });
    if (released.length > 0) await this.deps.cache.delete(sessionConfinementKey(sessionId));
    const key = issueProfileKey(
      this.deps.secret,
      { sessionId, profileId, lockedAt: row.pin_set_at },
      this.ctx.clock().getTime(),
    );
    return { profileId, ...key };
  }

  /**
   * The device chose this profile on "Who's watching?". A kids profile with a PIN confines it; a device
   * already confined to another profile is refused (the kids PIN releases it first).
   */
  async enter(
    accountId: string,
    sessionId: string | undefined,
    profileId: string,
  ): Promise<{ confined: boolean }> {
    if (!sessionId) throw new DomainError('profile.session_unknown', 'Sign in again to choose a profile');
    const row = await ownedProfile(this.ctx.db.write, accountId, profileId);
    const current = await confinementOf(this.ctx.db.write, sessionId);
    if (current && current !== profileId) throw new ConfinedError(current);
    if (!fromFlag(row.kids) || row.pin_hash === null) return { confined: current === profileId };
    await confineSession(this.ctx.db.write, sessionId, profileId, this.ctx.clock().toISOString());
    await this.deps.cache.delete(sessionConfinementKey(sessionId));
    return { confined: true };
  }

  /** For the gateway: the profile a device is confined to, or null. */
  confinement(sessionId: string): Promise<string | null> {
    return confinementOf(this.ctx.db.write, sessionId);
  }

  /** The gateway caches profile owners and locks; a lock change applies to its next request. */
  private forgetProfile(profileId: string): Promise<void> {
    return this.deps.cache.delete(profileRecordKey(profileId));
  }
}

function tooMany(): DomainError {
  return new DomainError('profile.pin_attempts', 'Too many wrong PINs; wait 15 minutes and try again', {
    retryAfter: PIN_FAILURE_WINDOW_MS / 1000,
  });
}
