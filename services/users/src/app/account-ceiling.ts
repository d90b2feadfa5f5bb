import { MATURITY_RATINGS, maturityRank, profileCeiling, type Maturity } from '@marquee/contracts';
import { listProfiles } from '../store/profiles-store.js';
import type { UsersAppContext } from './context.js';

/**
 * The most permissive maturity ceiling among an account's profiles: what the account may browse when
 * no profile is named (a catalog listing without `profileId` must not show a kids-only household what
 * none of its profiles may watch). An account without profiles gets the lowest rating.
 */
export async function accountCeiling(ctx: Pick<UsersAppContext, 'db'>, accountId: string): Promise<Maturity> {
  const profiles = await listProfiles(ctx.db.read, accountId);
  return profiles
    .map((p) => profileCeiling({ kids: p.kids === 1, maxMaturity: p.max_maturity }))
    .reduce<Maturity>((a, b) => (maturityRank(b) > maturityRank(a) ? b : a), MATURITY_RATINGS[0]);
}
