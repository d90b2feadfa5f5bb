import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError } from '@marquee/core';
import type { Cache } from '@marquee/platform';
import { findAccount } from '../store/accounts-store.js';
import type { UsersAppContext } from './context.js';
import { InvalidCredentialsError } from './problems.js';

/**
 * How the account holder proves it is them before a grave change (setting a profile PIN, deleting the
 * account): the password, or a **re-authentication proof** — what a fresh sign-in at the OpenID
 * provider answers (`OidcSignIn.startReauthentication`), for an account made by single sign-on, whose
 * password nobody knows. Every caller of confirmAccountHolder accepts both without change.
 */
export type HolderProof = { password: string } | { reauthProof: string };

/** A re-authentication proof lasts five minutes, for one grave change. */
const REAUTH_PROOF_TTL_MS = 5 * 60_000;
const keyOf = (proof: string) => `users:reauth:${createHash('sha256').update(proof).digest('base64url')}`;

/**
 * Proofs that an account's holder just signed in again at the provider: 256 random bits, kept in the
 * cache port by their hash with the account id, single use.
 *
 * @example
 *   const proof = await proofs.issue(accountId);        // after the provider's fresh sign-in
 *   await proofs.redeem(proof, accountId);              // true once, then false
 */
export class ReauthProofs {
  constructor(private readonly cache: Pick<Cache, 'get' | 'set' | 'delete'>) {}

  async issue(accountId: string): Promise<string> {
    const proof = randomBytes(32).toString('base64url');
    await this.cache.set(keyOf(proof), { accountId }, REAUTH_PROOF_TTL_MS);
    return proof;
  }

  async redeem(proof: string, accountId: string): Promise<boolean> {
    const key = keyOf(proof);
    const found = await this.cache.get<{ accountId: string }>(key);
    if (found?.accountId !== accountId) return false;
    await this.cache.delete(key);
    return true;
  }
}

/** Throws 401 `auth.invalid_credentials` unless the proof is right (the same answer as a wrong login). */
export async function confirmAccountHolder(
  ctx: UsersAppContext,
  accountId: string,
  proof: HolderProof,
): Promise<void> {
  const account = await findAccount(ctx.db.write, accountId);
  if (!account) throw new NotFoundError('account', accountId);
  if ('reauthProof' in proof) {
    if (!(await ctx.reauthProofs?.redeem(proof.reauthProof, accountId))) throw new InvalidCredentialsError();
    return;
  }
  if (!(await ctx.hasher.verify(account.password_hash, proof.password))) throw new InvalidCredentialsError();
}

/** A request body's proof: the password, else a re-authentication proof; neither is a 401. */
export function holderProofOf(body: { password?: string; reauthProof?: string }): HolderProof {
  if (body.password !== undefined) return { password: body.password };
  if (body.reauthProof !== undefined) return { reauthProof: body.reauthProof };
  throw new InvalidCredentialsError();
}
