import { ACCESS_TOKEN_TTL_SECONDS } from '@marquee/contracts';
import { AccessTokenError } from './access-token-verifier.js';

/**
 * The slice of the cache port a revocation set needs. Declared here, not imported from the platform,
 * so core keeps depending on nothing but contracts (the platform's Cache satisfies it).
 */
export interface RevocationStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
}

/**
 * A mark lives as long as an access token issued just before the revocation can still verify: its
 * lifetime plus a minute for clock skew between users and the gateways (the verifier allows 5 s).
 * After that every token of the session has expired on its own, so the set stays bounded by the
 * number of sessions ended in the last 16 minutes.
 */
export const REVOCATION_TTL_MS = (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;

const keyOf = (sessionId: string) => `revoked-session:${sessionId}`;

/**
 * The set of sessions that ended (logout, password change, device sign-out, account disabled or
 * deleted), shared through the cache port: users writes a mark when it ends a session, the gateway
 * reads it on each authenticated request, so a revoked session's access tokens stop at once without
 * a call to users.
 *
 * @example
 *   const revocations = new SessionRevocations(ctx.cache);
 *   await revocations.revoke([sessionId]);            // users, after the revocation committed
 *   await revocations.assertLive(claims.sessionId);   // gateway, after the signature verified
 */
export class SessionRevocations {
  constructor(private readonly store: RevocationStore) {}

  async revoke(sessionIds: Iterable<string>): Promise<void> {
    await Promise.all([...sessionIds].map((id) => this.store.set(keyOf(id), 1, REVOCATION_TTL_MS)));
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.store.get<number>(keyOf(sessionId))) !== undefined;
  }

  /** Throws the 401 `auth.session_ended` for a revoked session. */
  async assertLive(sessionId: string): Promise<void> {
    if (await this.isRevoked(sessionId)) {
      throw new AccessTokenError('auth.session_ended', 'This session has ended; sign in again');
    }
  }
}
