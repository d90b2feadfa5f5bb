import { fromFlag } from '../store/executor.js';
import type { UsersAppContext } from './context.js';
import { KidsCannotManageProfilesError } from './problems.js';
import { ownedProfile } from './profiles.js';

/**
 * The header in which a client names the profile it is acting as (the one chosen on "Who's
 * watching?"). The web app sends it on every call once a profile is chosen. It is not an
 * `x-marquee-*` header on purpose: those carry the gateway's verified identity and are stripped from
 * client requests as forgeries.
 */
export const ACTING_PROFILE_HEADER = 'marquee-profile';

/**
 * Refuses profile management (create, change, delete) to a client acting as a kids profile. The
 * account token alone cannot tell who is at the keyboard, so the acting profile comes from the client;
 * a profile PIN (issue 17) is what keeps a child from switching to an adult profile in the first place.
 * An unknown or foreign acting profile answers 404, like every other profile id.
 */
export async function refuseKidsProfileManaging(
  ctx: UsersAppContext,
  accountId: string,
  headers: Record<string, string | string[] | undefined>,
): Promise<void> {
  const raw = headers[ACTING_PROFILE_HEADER];
  const acting = Array.isArray(raw) ? raw[0] : raw;
  if (!acting) return;
  const row = await ownedProfile(ctx.db.write, accountId, acting);
  if (fromFlag(row.kids)) throw new KidsCannotManageProfilesError();
}
