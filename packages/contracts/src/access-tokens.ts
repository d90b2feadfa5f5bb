import type { Plan, Role } from './plans.js';

/**
 * The access-token contract between users (issuer) and the gateway (verifier).
 * Header: `{alg: "EdDSA", kid, typ: "at+jwt"}` (RFC 9068 type, so an ID token or any other JWT signed
 * with the same key cannot pass as an access token). Claims: `sub` = accountId, `role`, `plan`,
 * `sid` = session id (the refresh-token family), plus `iss`, `aud`, `iat`, `exp`, `jti`.
 */
export const ACCESS_TOKEN_ISSUER = 'marquee-users';
export const ACCESS_TOKEN_AUDIENCE = 'marquee';
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALG = 'EdDSA';
/** 15 minutes: how long a revoked session can still call the API with the access token it holds. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessClaims {
  accountId: string;
  role: Role;
  plan: Plan;
  sessionId: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

/** What sign-up, login and refresh answer (DESIGN.md public API). */
export interface TokenPair {
  accountId: string;
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}
