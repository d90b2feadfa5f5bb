import { createHash, randomBytes } from 'node:crypto';
import { DomainError, type Logger } from '@marquee/core';
import { normaliseEmail, type TokenPair } from '@marquee/contracts';
import type { Cache } from '@marquee/platform';
import * as client from 'openid-client';
import { findAccount, findAccountByEmail, updateRole } from '../store/accounts-store.js';
import { markEmailVerified } from '../store/email-links-store.js';
import { findOidcAccount, linkOidcIdentity } from '../store/oidc-identities-store.js';
import { AccountDisabledError } from './account-admin.js';
import { createAccount } from './accounts.js';
import type { UsersAppContext } from './context.js';
import { openSession, tokenPair } from './sessions.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  name: string;
  adminClaim?: string;
  adminValue?: string;
}

/** Ten minutes at the provider; a minute for the web app to take its tokens. */
const FLIGHT_TTL_MS = 10 * 60_000;
const HANDOFF_TTL_MS = 60_000;
/** A re-authentication counts when the provider's sign-in happened within this (clock skew included). */
const REAUTH_FRESH_MS = 5 * 60_000;

/** What waits in the cache between leaving for the provider and its return. */
interface Flight {
  verifier: string;
  nonce: string;
  /** Hash of the browser cookie's value. */
  browser: string;
  /** Set for a re-authentication: the signed-in account it must confirm. */
  reauthFor?: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const failed = (message: string) => new DomainError('auth.oidc_failed', message);

/** Whether the configured admin claim says admin: equal to the value, a list holding it, or true. */
export function claimsAdmin(claim: unknown, value: string | undefined): boolean {
  if (value === undefined) return claim === true || claim === 'true';
  if (Array.isArray(claim)) return claim.includes(value);
  return claim === value;
}

/**
 * "Sign in with <provider>": the authorization code flow with PKCE through openid-client, state and
 * nonce checked by it. The browser leaves with a state whose verifier and nonce wait in the cache port;
 * it comes back with a code, which becomes the provider's verified claims, which become an account
 * (found by its provider identity, else linked by a VERIFIED email, else created) and a one-minute,
 * single-use handoff code the web app exchanges for its token pair, so tokens never travel in a URL.
 */
export class OidcSignIn {
  private configuration?: Promise<client.Configuration>;

  constructor(
    private readonly ctx: UsersAppContext,
    private readonly deps: {
      settings: OidcSettings;
      cache: Cache;
      publicUrl: string;
      logger: Logger;
    },
  ) {}

  get name(): string {
    return this.deps.settings.name;
  }

  get redirectUri(): string {
    return `${this.deps.publicUrl}/api/auth/oidc/callback`;
  }

  /** Discovery happens at the first sign-in (the provider may start after Marquee); a failure is retried next time. */
  private config(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.deps.settings;
    this.configuration ??= client
      .discovery(
        new URL(issuer),
        clientId,
        clientSecret,
        clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
        // An http:// issuer is only for a provider on this machine (tests, a laptop); production is https.
        issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : {},
      )
      .catch((err: unknown) => {
        this.configuration = undefined;
        this.deps.logger.warn({ err }, 'OpenID provider discovery failed');
        throw new DomainError(
          'auth.oidc_unavailable',
          'The sign-in provider cannot be reached; try again shortly',
        );
      });
    return this.configuration;
  }

  /**
   * Where to send the browser: the provider's authorization endpoint with state, nonce and PKCE.
   * `browser` is a random value the caller puts in a cookie: the return must come to the same browser,
   * or someone could send a victim a link that finishes the sender's own sign-in (login CSRF).
   */
  async start(browser: string, reauthFor?: string): Promise<URL> {
    const config = await this.config();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const flight: Flight = { verifier, nonce, browser: sha256(browser), ...(reauthFor ? { reauthFor } : {}) };
    await this.deps.cache.set(`users:oidc:flight:${sha256(state)}`, flight, FLIGHT_TTL_MS);
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      // Re-authentication: the provider must ask again now, not reuse its session (and says when).
      ...(reauthFor ? { prompt: 'login', max_age: '0' } : {}),
    });
  }

  /**
   * Confirms a grave change (deleting the account, a PIN) for a signed-in holder whose account signs in
   * through the provider: the same round trip, with a fresh login forced, ending in a proof instead.
   */
  startReauthentication(browser: string, accountId: string): Promise<URL> {
    return this.start(browser, accountId);
  }

  /** Whether the return carrying this query finishes a re-authentication (its errors go back to /account). */
  async isReauthentication(query: string): Promise<boolean> {
    const state = new URLSearchParams(query).get('state');
    if (!state) return false;
    return Boolean((await this.deps.cache.get<Flight>(`users:oidc:flight:${sha256(state)}`))?.reauthFor);
  }

  /**
   * The provider sent the browser back: check it all, then find or make the account and answer a
   * handoff code — or, for a re-authentication, answer a proof for the account that asked.
   */
  async callback(
    query: string,
    userAgent: string | undefined,
    browser: string | undefined,
  ): Promise<{ handoff: string } | { reauthProof: string }> {
    const current = new URL(this.redirectUri);
    current.search = query;
    const state = current.searchParams.get('state');
    if (!state) throw failed('The provider answered without a state; start again');
    const key = `users:oidc:flight:${sha256(state)}`;
    const flight = await this.deps.cache.get<Flight>(key);
    // Unknown state: not a sign-in this service started (or one already finished, or too old).
    if (!flight) throw failed('This sign-in is unknown or has expired; start again');
    if (!browser || sha256(browser) !== flight.browser)
      throw failed('This sign-in was started in another browser; start again here');
    await this.deps.cache.delete(key);
    // The provider answered with an error (the person cancelled, or is not allowed this client): say
    // so, rather than that its answer "could not be verified". Its words are logged, not shown.
    const refusal = current.searchParams.get('error');
    if (refusal) {
      this.deps.logger.info(
        {
          error: refusal.slice(0, 64),
          description: current.searchParams.get('error_description')?.slice(0, 200),
        },
        'OpenID provider refused the sign-in',
      );
      throw new DomainError('auth.oidc_denied', 'The sign-in provider did not let you in; start again');
    }
    const config = await this.config();
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flight.verifier,
        expectedState: state,
        expectedNonce: flight.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      // Providers put email and group claims in the ID token or only at userinfo: ask both.
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...info, ...idClaims };
    } catch (err) {
      if (err instanceof DomainError) throw err;
      this.deps.logger.warn({ err }, 'OpenID sign-in refused');
      throw failed('The provider’s answer could not be verified; start again');
    }
    if (flight.reauthFor) return { reauthProof: await this.reauthenticated(flight.reauthFor, claims) };
    const accountId = await this.accountFor(claims);
    const handoff = randomBytes(32).toString('base64url');
    await this.deps.cache.set(
      `users:oidc:handoff:${sha256(handoff)}`,
      { accountId, userAgent: userAgent ?? null },
      HANDOFF_TTL_MS,
    );
    return { handoff };
  }

  /** The fresh sign-in must be this account's identity at the provider, and fresh (auth_time). */
  private async reauthenticated(accountId: string, claims: Record<string, unknown>): Promise<string> {
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    const linked = await findOidcAccount(this.ctx.db.write, this.deps.settings.issuer, subject);
    if (linked !== accountId)
      throw failed('The provider signed in someone else; sign in there as the holder of this account');
    const authTime = typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : 0;
    if (this.ctx.clock().getTime() - authTime > REAUTH_FRESH_MS)
      throw failed('The provider did not ask you to sign in again; start again');
    const proofs = this.ctx.reauthProofs;
    if (!proofs) throw failed('Re-authentication is not available here');
    return proofs.issue(accountId);
  }

  /** The web app's single use of the handoff code: the session opens now. */
  async redeem(handoff: string): Promise<TokenPair> {
    const key = `users:oidc:handoff:${sha256(handoff)}`;
    const found = await this.deps.cache.get<{ accountId: string; userAgent: string | null }>(key);
    if (!found) throw failed('This sign-in has expired or was used; start again');
    await this.deps.cache.delete(key);
    const account = await findAccount(this.ctx.db.write, found.accountId);
    if (!account) throw failed('This sign-in has expired or was used; start again');
    if (account.disabled_at !== null) throw new AccountDisabledError();
    const grant = await this.ctx.db.transaction((trx) =>
      openSession(
        this.ctx,
        trx,
        { accountId: account.account_id, role: account.role, plan: account.plan },
        found.userAgent ?? undefined,
      ),
    );
    return tokenPair(this.ctx, grant);
  }

  private async accountFor(claims: Record<string, unknown>): Promise<string> {
    const { issuer, adminClaim, adminValue } = this.deps.settings;
    const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
    if (!subject) throw failed('The provider named no subject');
    const email = typeof claims.email === 'string' ? normaliseEmail(claims.email) : undefined;
    const verified = claims.email_verified === true || claims.email_verified === 'true';
    const now = this.ctx.clock().toISOString();
    let accountId = await findOidcAccount(this.ctx.db.write, issuer, subject);
    if (!accountId) {
      if (!email) throw failed('The provider gave no email address; Marquee needs one for the account');
      const existing = await findAccountByEmail(this.ctx.db.write, email);
      if (existing && !verified) {
        // Anyone can claim any address at some providers: only a verified one may take over an account.
        throw new DomainError(
          'auth.oidc_email_unverified',
          'An account with this email exists, and the provider has not verified the address; verify it there, or sign in with your password',
        );
      }
      // Nobody can sign in with this password: it is random and never shown.
      const passwordHash = existing
        ? undefined
        : await this.ctx.hasher.hash(randomBytes(32).toString('base64url'));
      accountId = await this.ctx.db.transaction(async (trx) => {
        const id =
          existing?.account_id ??
          (await createAccount(
            this.ctx,
            trx,
            { email, password: '', plan: this.ctx.billing.startingPlan() },
            passwordHash!,
          ));
        await linkOidcIdentity(trx, { issuer, subject, account_id: id, created_at: now });
        if (verified) await markEmailVerified(trx, id, email, now);
        return id;
      });
    }
    if (adminClaim) {
      const account = await findAccount(this.ctx.db.write, accountId);
      const role = claimsAdmin(claims[adminClaim], adminValue) ? 'admin' : 'viewer';
      if (account && account.role !== role) await updateRole(this.ctx.db.write, accountId, role, now);
    }
    return accountId;
  }
}
