import type { AccessClaims } from '@marquee/contracts';

export interface VerifiedAccessTokensOptions {
  /** Most tokens remembered; the oldest go first. */
  maxEntries?: number;
  /** A token is re-verified at least this often, so a signing key withdrawn from the JWK Set takes effect. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Remembers the claims of access tokens that verified, until they expire (and at most `maxAgeMs`).
 * A client sends the same token for its whole 15-minute life; verifying its EdDSA signature through
 * WebCrypto on every request was most of the gateway's CPU per request. Failures are never remembered
 * (a flood of forged tokens must not evict good ones or pin bad ones), and the key is the whole token,
 * so a changed byte is a different, unverified token.
 */
export class VerifiedAccessTokens {
  private readonly entries = new Map<string, { claims: AccessClaims; until: number }>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly verifyToken: (token: string) => Promise<AccessClaims>,
    options: VerifiedAccessTokensOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async verify(token: string): Promise<AccessClaims> {
    const now = this.now();
    const known = this.entries.get(token);
    if (known && known.until > now) return known.claims;
    if (known) this.entries.delete(token);
    const claims = await this.verifyToken(token);
    const until = Math.min(now + this.maxAgeMs, claims.expiresAt * 1000);
    if (until > now) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(token, { claims, until });
    }
    return claims;
  }

  get size(): number {
    return this.entries.size;
  }
}
