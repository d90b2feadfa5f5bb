import { NotFoundError } from '@marquee/core';
import { findAccount } from '../store/accounts-store.js';
import type { UsersAppContext } from './context.js';
import { InvalidCredentialsError } from './problems.js';

/**
 * How the account holder proves it is them before a grave change (setting a profile PIN, deleting the
 * account). Today: the password. This is the hook for OpenID Connect re-authentication: an account that
 * signs in through a provider adds a variant here (a fresh `id_token` with a recent `auth_time`), and
 * every caller of confirmAccountHolder accepts it without change.
 */
export type HolderProof = { password: string };

/** Throws 401 `auth.invalid_credentials` unless the proof is right (the same answer as a wrong login). */
export async function confirmAccountHolder(
  ctx: UsersAppContext,
  accountId: string,
  proof: HolderProof,
): Promise<void> {
  const account = await findAccount(ctx.db.write, accountId);
  if (!account) throw new NotFoundError('account', accountId);
  if (!(await ctx.hasher.verify(account.password_hash, proof.password))) throw new InvalidCredentialsError();
}
