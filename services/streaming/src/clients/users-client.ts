import {
  identityHeaders,
  NotFoundError,
  UpstreamError,
  type Identity,
  type Logger,
  type ServiceClient,
} from '@marquee/core';
import type { Cache } from '@marquee/platform';
import { isMaturity, type Maturity } from '@marquee/contracts';

export interface ProfileFacts {
  profileId: string;
  accountId: string;
  kids: boolean;
  maxMaturity: Maturity;
}

/** Profiles change rarely; a changed maturity ceiling takes effect within this time. */
const PROFILE_TTL_MS = 10_000;
/** A confirmed address is remembered this long (a deleted account's entry goes with it). */
const VERIFIED_TTL_MS = 10 * 60_000;
/** A player waits for the resume position; past this it starts from the beginning instead. */
const RESUME_TIMEOUT_MS = 300;

/**
 * What streaming asks the users service: who owns a profile and its maturity ceiling (cached in the
 * cache port, shared by every streaming instance), and where a viewer stopped watching a title.
 */
export class UsersClient {
  constructor(
    private readonly client: ServiceClient,
    private readonly cache: Cache,
    private readonly logger: Logger,
  ) {}

  /**
   * The profile a request of `identity` is about: the facts the gateway forwarded with the identity when
   * they name this profile — it checked the profile is the caller's moments ago (identity.ts), so users is
   * not asked again — else users' answer, as profile() gives it. Facts about another profile (or none: a
   * call that did not pass the gateway's ownership check) are never used for this one.
   */
  async profileOf(identity: Identity, profileId: string): Promise<ProfileFacts> {
    const verified = identity.profile;
    if (verified?.profileId !== profileId) return this.profile(profileId);
    return { ...verified, accountId: identity.accountId };
  }

  /** The profile, or NotFoundError; UpstreamError when users cannot answer. */
  async profile(profileId: string): Promise<ProfileFacts> {
    const cached = await this.cache.getOrLoad<ProfileFacts | null>(
      `streaming:profile:${profileId}`,
      PROFILE_TTL_MS,
      async () => {
        const res = await this.client.get<Record<string, unknown>>(
          `/internal/profiles/${encodeURIComponent(profileId)}`,
        );
        if (res.status === 404) return null;
        const body = res.body;
        if (
          res.status !== 200 ||
          typeof body.accountId !== 'string' ||
          !isMaturity(body.maxMaturity) ||
          typeof body.kids !== 'boolean'
        ) {
          throw new UpstreamError(
            'upstream.unavailable',
            'users',
            `users answered ${res.status} for a profile`,
          );
        }
        return { profileId, accountId: body.accountId, kids: body.kids, maxMaturity: body.maxMaturity };
      },
    );
    if (!cached) throw new NotFoundError('profile', profileId);
    return cached;
  }

  /**
   * The most permissive maturity ceiling among the account's profiles (what it may browse without
   * naming a profile), cached like profiles; NotFoundError for an unknown account, UpstreamError when
   * users cannot answer.
   */
  async accountCeiling(accountId: string): Promise<Maturity> {
    const ceiling = await this.cache.getOrLoad<Maturity | null>(
      `streaming:account-ceiling:${accountId}`,
      PROFILE_TTL_MS,
      async () => {
        const res = await this.client.get<Record<string, unknown>>(
          `/internal/accounts/${encodeURIComponent(accountId)}`,
        );
        if (res.status === 404) return null;
        if (res.status !== 200 || !isMaturity(res.body.maxMaturity)) {
          throw new UpstreamError(
            'upstream.unavailable',
            'users',
            `users answered ${res.status} for an account`,
          );
        }
        return res.body.maxMaturity;
      },
    );
    if (!ceiling) throw new NotFoundError('account', accountId);
    return ceiling;
  }

  /**
   * Whether the account confirmed its email address (AUTH_REQUIRE_EMAIL_VERIFICATION). Only a yes is
   * cached: an address, once confirmed, stays so, while a viewer who just followed the link must be able
   * to press Play a second later.
   */
  async emailVerified(accountId: string): Promise<boolean> {
    const key = `streaming:email-verified:${accountId}`;
    if (await this.cache.get<boolean>(key)) return true;
    const res = await this.client.get<Record<string, unknown>>(
      `/internal/accounts/${encodeURIComponent(accountId)}`,
    );
    if (res.status === 404) throw new NotFoundError('account', accountId);
    if (res.status !== 200) {
      throw new UpstreamError('upstream.unavailable', 'users', `users answered ${res.status} for an account`);
    }
    const verified = res.body.emailVerified === true;
    if (verified) await this.cache.set(key, true, VERIFIED_TTL_MS);
    return verified;
  }

  /**
   * The profile's recent viewings, most recent first (for Play on a series); empty when users is slow or
   * down, so the series starts at its first episode rather than failing.
   */
  async recentViewings(
    identity: Identity,
    profileId: string,
  ): Promise<{ titleId: string; completed: boolean }[]> {
    try {
      const res = await this.client.get<{ items?: { titleId?: unknown; completed?: unknown }[] }>(
        `/api/profiles/${encodeURIComponent(profileId)}/history`,
        { headers: identityHeaders(identity), timeoutMs: RESUME_TIMEOUT_MS },
      );
      if (res.status !== 200 || !Array.isArray(res.body.items)) return [];
      return res.body.items.flatMap((i) =>
        typeof i.titleId === 'string' ? [{ titleId: i.titleId, completed: i.completed === true }] : [],
      );
    } catch (err) {
      this.logger.warn(
        { err, profileId },
        'viewing history unavailable; a series starts at its first episode',
      );
      return [];
    }
  }

  /**
   * Seconds to resume `titleId` at for this profile: 0 when never watched, when finished, or when users
   * is slow or down (playback must not fail because history is unavailable).
   */
  async resumePosition(identity: Identity, profileId: string, titleId: string): Promise<number> {
    try {
      const res = await this.client.get<{ position?: unknown; completed?: unknown }>(
        `/api/profiles/${encodeURIComponent(profileId)}/history/${encodeURIComponent(titleId)}`,
        { headers: identityHeaders(identity), timeoutMs: RESUME_TIMEOUT_MS },
      );
      if (res.status !== 200 || res.body.completed === true) return 0;
      const position = Number(res.body.position);
      return Number.isFinite(position) && position > 0 ? position : 0;
    } catch (err) {
      this.logger.warn({ err, profileId }, 'resume position unavailable; starting from 0');
      return 0;
    }
  }
}
