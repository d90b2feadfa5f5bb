import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError, type Plan, type Role } from '@marquee/core';
import { enqueue } from '@marquee/platform';
import {
  findAccount,
  findAccountByEmail,
  insertAccount,
  updatePasswordHash,
  updatePlan,
} from '../store/accounts-store.js';
import { findPlanChange } from '../store/plan-changes-store.js';
import { isEmailVerified } from '../store/email-links-store.js';
import { isUniqueViolation, toFlag, type UsersTransaction } from '../store/executor.js';
import { insertProfile } from '../store/profiles-store.js';
import { revokeAccountSessions } from '../store/sessions-store.js';
import type { TokenPair } from '@marquee/contracts';
import type { UsersAppContext } from './context.js';
import { emailLocalPart, normaliseEmail } from '@marquee/contracts';
import { profileCreated, userCreated } from './events.js';
import { ADULT_DEFAULT_MATURITY } from '@marquee/contracts';
import { checkPassword } from './password-policy.js';
import { EmailTakenError, InvalidCredentialsError, PasswordTooWeakError } from './problems.js';
import { AccountDisabledError } from './account-admin.js';
import { defaultProfileName } from './profile-rules.js';
import { openSession, tokenPair } from './sessions.js';
import { askBilling } from './plan-changes.js';

export interface AccountView {
  accountId: string;
  email: string;
  plan: Plan;
  role: Role;
  createdAt: string;
  /** A plan asked for that billing has not granted yet. */
  pendingPlan: Plan | null;
  /** Whether the current address was confirmed by mail (GET /api/account only). */
  emailVerified?: boolean;
}

export interface SignupInput {
  email: string;
  password: string;
  plan: Plan;
  role?: Role;
}

/** Sign-up asks for a plan; billing decides which one the account starts on. */
export interface ViewerSignupInput extends Omit<SignupInput, 'plan' | 'role'> {
  plan?: Plan;
}

function requireEmail(raw: string): string {
  const email = normaliseEmail(raw);
  if (!email)
    throw new ValidationError('email must be an email address such as name@example.com', { field: 'email' });
  return email;
}

function requireStrongPassword(password: string, email: string): void {
  const verdict = checkPassword(password, { email });
  if (!verdict.ok) throw new PasswordTooWeakError(verdict.reason, verdict.message);
}

/**
 * Creates the account and its first profile (named after the email's local part) and announces both,
 * all in one transaction: a failure leaves no account, no profile and no event.
 */
export async function createAccount(
  ctx: Pick<UsersAppContext, 'clock'>,
  trx: UsersTransaction,
  input: SignupInput,
  passwordHash: string,
): Promise<string> {
  const email = requireEmail(input.email);
  const now = ctx.clock().toISOString();
  const accountId = randomUUID();
  const profileId = randomUUID();
  try {
    await insertAccount(trx, {
      account_id: accountId,
      email,
      password_hash: passwordHash,
      role: input.role ?? 'viewer',
      plan: input.plan,
      created_at: now,
      updated_at: now,
    });
  } catch (err) {
    throw isUniqueViolation(err) ? new EmailTakenError() : err;
  }
  await enqueue(trx, userCreated(accountId, input.plan));
  await insertProfile(trx, {
    profile_id: profileId,
    account_id: accountId,
    name: defaultProfileName(emailLocalPart(email)),
    kids: toFlag(false),
    max_maturity: ADULT_DEFAULT_MATURITY,
    created_at: now,
  });
  await enqueue(trx, profileCreated(accountId, profileId, false, ADULT_DEFAULT_MATURITY));
  return accountId;
}

/** Checks the email and password rules; answers the normalised email. */
export function validateNewAccount(input: { email: string; password: string }): string {
  const email = requireEmail(input.email);
  requireStrongPassword(input.password, email);
  return email;
}

/**
 * A viewer signs up. The account starts on billing's starting plan; a plan asked for above it is a
 * request billing decides (by default: the operator approves it later), never a grant.
 */
export async function signup(
  ctx: UsersAppContext,
  input: ViewerSignupInput,
  userAgent?: string,
): Promise<TokenPair> {
  const email = validateNewAccount(input);
  // Checked before the (deliberately slow) hash; the unique index still decides a race.
  if (await findAccountByEmail(ctx.db.write, email)) throw new EmailTakenError();
  const passwordHash = await ctx.hasher.hash(input.password);
  const starting = ctx.billing.startingPlan();
  const grant = await ctx.db.transaction(async (trx) => {
    const accountId = await createAccount(ctx, trx, { ...input, email, plan: starting }, passwordHash);
    const { plan } = await askBilling(
      ctx.billing,
      trx,
      { accountId, email, currentPlan: starting, requestedPlan: input.plan ?? starting, at: 'signup' },
      ctx.clock().toISOString(),
    );
    if (plan !== starting) await updatePlan(trx, accountId, plan, ctx.clock().toISOString());
    return openSession(ctx, trx, { accountId, role: 'viewer', plan }, userAgent);
  });
  return tokenPair(ctx, grant);
}

/**
 * The same 401 whether the account is missing or the password wrong, and the same work: a missing
 * account is verified against a decoy hash so response time does not reveal which.
 */
export async function login<Challenge = never>(
  ctx: UsersAppContext,
  input: { email: string; password: string },
  userAgent?: string,
  /** Asked once the password is right: a second step (two-factor.ts) answers instead of tokens. */
  secondStep?: (accountId: string) => Promise<Challenge | undefined>,
): Promise<TokenPair | Challenge> {
  const email = normaliseEmail(input.email);
  const account = email ? await findAccountByEmail(ctx.db.write, email) : undefined;
  if (!account) {
    await ctx.hasher.verify(await ctx.hasher.decoy, input.password);
    throw new InvalidCredentialsError();
  }
  if (!(await ctx.hasher.verify(account.password_hash, input.password))) throw new InvalidCredentialsError();
  // Said only to whoever knows the password: it is theirs to know, and nobody else learns the account exists.
  if (account.disabled_at !== null) throw new AccountDisabledError();
  // Parameters raised since this hash was made: upgrade it now that we hold the password.
  const rehash = ctx.hasher.needsRehash(account.password_hash)
    ? await ctx.hasher.hash(input.password)
    : undefined;
  const challenge = await secondStep?.(account.account_id);
  if (challenge !== undefined) {
    if (rehash) await updatePasswordHash(ctx.db.write, account.account_id, rehash, ctx.clock().toISOString());
    return challenge;
  }
  const grant = await ctx.db.transaction(async (trx) => {
    if (rehash) await updatePasswordHash(trx, account.account_id, rehash, ctx.clock().toISOString());
    return openSession(
      ctx,
      trx,
      { accountId: account.account_id, role: account.role, plan: account.plan },
      userAgent,
    );
  });
  return tokenPair(ctx, grant);
}

export async function getAccount(ctx: UsersAppContext, accountId: string): Promise<AccountView> {
  const row = await findAccount(ctx.db.write, accountId);
  if (!row) throw new NotFoundError('account', accountId);
  const pending = await findPlanChange(ctx.db.write, accountId);
  return {
    accountId: row.account_id,
    email: row.email,
    plan: row.plan,
    role: row.role,
    createdAt: row.created_at,
    pendingPlan: pending?.requested_plan ?? null,
    emailVerified: await isEmailVerified(ctx.db.write, accountId, row.email),
  };
}

/**
 * Changes the password after checking the current one, then ends EVERY session of the account and
 * opens a fresh one for the caller: other devices are signed out, this one continues with the new pair.
 */
export async function changePassword(
  ctx: UsersAppContext,
  accountId: string,
  input: { currentPassword: string; newPassword: string },
  userAgent?: string,
): Promise<TokenPair> {
  const account = await findAccount(ctx.db.write, accountId);
  if (!account) throw new NotFoundError('account', accountId);
  if (!(await ctx.hasher.verify(account.password_hash, input.currentPassword)))
    throw new InvalidCredentialsError();
  requireStrongPassword(input.newPassword, account.email);
  const hash = await ctx.hasher.hash(input.newPassword);
  const { grant, ended } = await ctx.db.transaction(async (trx) => {
    const now = ctx.clock().toISOString();
    await updatePasswordHash(trx, accountId, hash, now);
    const ended = await revokeAccountSessions(trx, accountId, 'password_changed', now);
    const grant = await openSession(
      ctx,
      trx,
      { accountId, role: account.role, plan: account.plan },
      userAgent,
    );
    return { grant, ended };
  });
  await ctx.revocations.revoke(ended);
  return tokenPair(ctx, grant);
}
