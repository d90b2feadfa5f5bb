import { randomUUID } from 'node:crypto';
import { NotFoundError, type Plan, type Role } from '@marquee/core';
import type { Executor } from '../store/executor.js';
import { findAccount } from '../store/accounts-store.js';
import { hasTwoFactor } from '../store/two-factor-store.js';
import {
  findRefreshToken,
  findSession,
  insertRefreshToken,
  insertSession,
  listLiveSessions,
  markRefreshTokenUsed,
  revokeAccountSessions,
  revokeSession,
  touchSession,
} from '../store/sessions-store.js';
import { signAccessToken } from '../tokens/access-tokens.js';
import type { TokenPair } from '@marquee/contracts';
import {
  hashRefreshToken,
  newRefreshToken,
  REFRESH_TOKEN_TTL_MS,
  SESSION_MAX_AGE_MS,
} from '../tokens/refresh-tokens.js';
import type { UsersAppContext } from './context.js';
import { InvalidRefreshTokenError, RefreshTokenReusedError } from './problems.js';

export interface SessionView {
  sessionId: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  current: boolean;
}

interface Grant {
  accountId: string;
  role: Role;
  plan: Plan;
  sessionId: string;
  refreshToken: string;
}

const iso = (d: Date) => d.toISOString();
const later = (d: Date, ms: number) => new Date(d.getTime() + ms);

/**
 * Starts a session (a new refresh-token family) inside the caller's transaction. The refresh token is
 * returned once and only its hash is stored.
 */
export async function openSession(
  ctx: UsersAppContext,
  trx: Executor,
  account: { accountId: string; role: Role; plan: Plan },
  userAgent: string | undefined,
): Promise<Grant> {
  const now = ctx.clock();
  const sessionId = randomUUID();
  const expiresAt = later(now, SESSION_MAX_AGE_MS);
  await insertSession(trx, {
    session_id: sessionId,
    account_id: account.accountId,
    created_at: iso(now),
    last_used_at: iso(now),
    expires_at: iso(expiresAt),
    user_agent: userAgent ? userAgent.slice(0, 256) : null,
    revoked_at: null,
    revoked_reason: null,
  });
  const refreshToken = await issueRefreshToken(trx, sessionId, now, expiresAt);
  const role = await grantedRole(ctx, trx, account.accountId, account.role);
  return { ...account, role, sessionId, refreshToken };
}

/**
 * The role a new access token carries. With AUTH_REQUIRE_ADMIN_2FA, an admin without two-step sign-in
 * is signed in as a viewer: enough to reach the account page and enrol, never the admin API. The next
 * refresh after enrolling carries the admin role.
 */
async function grantedRole(
  ctx: Pick<UsersAppContext, 'requireAdminTwoFactor'>,
  db: Executor,
  accountId: string,
  role: Role,
): Promise<Role> {
  if (role !== 'admin' || !ctx.requireAdminTwoFactor) return role;
  return (await hasTwoFactor(db, accountId)) ? role : 'viewer';
}

async function issueRefreshToken(
  trx: Executor,
  sessionId: string,
  now: Date,
  sessionEnd: Date,
): Promise<string> {
  const token = newRefreshToken();
  const expires = Math.min(later(now, REFRESH_TOKEN_TTL_MS).getTime(), sessionEnd.getTime());
  await insertRefreshToken(trx, {
    token_hash: hashRefreshToken(token),
    session_id: sessionId,
    issued_at: iso(now),
    expires_at: iso(new Date(expires)),
    used_at: null,
  });
  return token;
}

/** The public answer for a grant: sign the access token (after the transaction committed). */
export async function tokenPair(ctx: UsersAppContext, grant: Grant): Promise<TokenPair> {
  const { accessToken, expiresIn } = await signAccessToken(await ctx.keys.current(), grant, ctx.clock());
  return { accountId: grant.accountId, accessToken, refreshToken: grant.refreshToken, expiresIn };
}

type RefreshOutcome = { ok: true; grant: Grant } | { ok: false; error: Error; endedSession?: string };

/**
 * Exchanges a refresh token for a new pair (rotation). Presenting a token that was already exchanged
 * means two parties hold the family: the whole session is revoked (committed), then 401.
 */
export async function refreshSession(ctx: UsersAppContext, refreshToken: string): Promise<TokenPair> {
  const outcome = await ctx.db.transaction(async (trx): Promise<RefreshOutcome> => {
    const now = ctx.clock();
    const found = await findRefreshToken(trx, hashRefreshToken(refreshToken));
    if (!found) return { ok: false, error: new InvalidRefreshTokenError() };
    const { token, session } = found;
    const reuse = async (): Promise<RefreshOutcome> => {
      await revokeSession(trx, session.session_id, 'refresh_token_reused', iso(now));
      return { ok: false, error: new RefreshTokenReusedError(), endedSession: session.session_id };
    };
    if (token.used_at !== null) return reuse();
    if (session.revoked_at !== null)
      return { ok: false, error: new InvalidRefreshTokenError('This session has ended; sign in again') };
    if (token.expires_at <= iso(now) || session.expires_at <= iso(now)) {
      return { ok: false, error: new InvalidRefreshTokenError('This session has expired; sign in again') };
    }
    // The conditional update loses to a concurrent exchange of the same token: that is reuse too.
    if (!(await markRefreshTokenUsed(trx, token.token_hash, iso(now)))) return reuse();
    const account = await findAccount(trx, session.account_id);
    if (!account) return { ok: false, error: new InvalidRefreshTokenError() };
    const next = await issueRefreshToken(trx, session.session_id, now, new Date(session.expires_at));
    await touchSession(trx, session.session_id, iso(now));
    return {
      ok: true,
      grant: {
        accountId: account.account_id,
        role: await grantedRole(ctx, trx, account.account_id, account.role),
        plan: account.plan,
        sessionId: session.session_id,
        refreshToken: next,
      },
    };
  });
  if (!outcome.ok) {
    // Whoever holds the family's access tokens (the thief or the owner) is stopped at once too.
    if (outcome.endedSession) await ctx.revocations.revoke([outcome.endedSession]);
    throw outcome.error;
  }
  return tokenPair(ctx, outcome.grant);
}

/**
 * Ends the session the refresh token belongs to, and its access tokens at once (the revocation set).
 * Unknown tokens are ignored: logout always succeeds. A session already ended is marked again, so a
 * logout retried after the cache failed still takes effect.
 */
export async function logout(ctx: UsersAppContext, refreshToken: string): Promise<void> {
  const sessionId = await ctx.db.transaction(async (trx) => {
    const found = await findRefreshToken(trx, hashRefreshToken(refreshToken));
    if (found) await revokeSession(trx, found.session.session_id, 'logout', iso(ctx.clock()));
    return found?.session.session_id;
  });
  if (sessionId) await ctx.revocations.revoke([sessionId]);
}

export async function listSessions(
  ctx: UsersAppContext,
  accountId: string,
  currentSessionId?: string,
): Promise<SessionView[]> {
  const rows = await listLiveSessions(ctx.db.write, accountId, iso(ctx.clock()));
  return rows.map((row) => ({
    sessionId: row.session_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    userAgent: row.user_agent,
    current: row.session_id === currentSessionId,
  }));
}

/** Revokes one of the account's own sessions; 404 for a session of another account or an ended one. */
export async function endSession(ctx: UsersAppContext, accountId: string, sessionId: string): Promise<void> {
  const session = await findSession(ctx.db.write, sessionId);
  if (!session || session.account_id !== accountId || session.revoked_at !== null) {
    throw new NotFoundError('session', sessionId);
  }
  await revokeSession(ctx.db.write, sessionId, 'revoked_by_user', iso(ctx.clock()));
  await ctx.revocations.revoke([sessionId]);
}

/**
 * Signs the account out everywhere (this device too): every live session and its access tokens end.
 * Returns how many sessions ended.
 */
export async function endAllSessions(ctx: UsersAppContext, accountId: string): Promise<number> {
  const ended = await revokeAccountSessions(
    ctx.db.write,
    accountId,
    'signed_out_everywhere',
    iso(ctx.clock()),
  );
  await ctx.revocations.revoke(ended);
  return ended.length;
}
