import { DomainError, serviceToken, ServiceClient, SERVICE_TOKEN_HEADER, UpstreamError } from '@marquee/core';
import type { ContinueWatchingEntry } from '../app/home-rows.js';
import type { ProfileInfo, UsersDirectory } from '../app/users-directory.js';
import { readContinueWatching, readMyList, readProfile } from './users-responses.js';

/**
 * UsersDirectory over the users service's internal API:
 *   GET /internal/profiles/:profileId                     → {profileId, name, kids, maxMaturity}
 *   GET /internal/profiles/:profileId/continue-watching   → {items: [{titleId, position, duration}]}
 *   GET /internal/profiles/:profileId/list                → {items: [{titleId, addedAt}]}
 * A short timeout and one retry: a home page waits for users only briefly before leaving its rows out.
 */
export function usersDirectory(
  baseUrls: readonly string[],
  secret: string,
  options: { timeoutMs?: number; breakerCooldownMs?: number } = {},
): UsersDirectory & { close(): Promise<void> } {
  if (baseUrls.length === 0) return unavailableUsers();
  const client = new ServiceClient({
    service: 'users',
    baseUrls,
    timeoutMs: options.timeoutMs ?? 800,
    retries: 1,
    breakerThreshold: 5,
    breakerCooldownMs: options.breakerCooldownMs ?? 5_000,
    headers: { [SERVICE_TOKEN_HEADER]: serviceToken(secret) },
  });
  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    const res = await client.get(path);
    if (res.status >= 500)
      throw new UpstreamError('upstream.unavailable', 'users', `users answered ${res.status}`);
    return res;
  };
  const path = (profileId: string, rest = '') => `/internal/profiles/${encodeURIComponent(profileId)}${rest}`;
  const ok = (res: { status: number; body: unknown }, what: string) => {
    if (res.status !== 200)
      throw new DomainError('recommender.users_answer', `users answered ${res.status} for ${what}`);
    return res.body;
  };
  return {
    async profile(profileId): Promise<ProfileInfo | undefined> {
      const res = await get(path(profileId));
      if (res.status === 404) return undefined;
      const profile = readProfile(ok(res, 'the profile'));
      if (!profile)
        throw new DomainError('recommender.users_answer', 'users sent a profile without a maturity ceiling');
      return profile;
    },
    async continueWatching(profileId): Promise<ContinueWatchingEntry[]> {
      return readContinueWatching(ok(await get(path(profileId, '/continue-watching')), 'continue watching'));
    },
    async myList(profileId): Promise<string[]> {
      return readMyList(ok(await get(path(profileId, '/list')), 'my list'));
    },
    close: () => client.close(),
  };
}

/** No users URL configured: every call fails as an unavailable upstream, so only its rows are lost. */
function unavailableUsers(): UsersDirectory & { close(): Promise<void> } {
  const fail = async (): Promise<never> => {
    throw new UpstreamError('upstream.unavailable', 'users', 'no users service URL is configured');
  };
  return { profile: fail, continueWatching: fail, myList: fail, close: async () => {} };
}
