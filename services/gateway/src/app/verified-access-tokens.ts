import type { AccessClaims } from '@marquee/contracts';
import { Memo } from '@marquee/platform';

export interface VerifiedAccessTokensOptions {
  /** Most tokens remembered; the least recently used go first. */
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
  private readonly entries: Memo<string, AccessClaims>;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly verifyToken: (token: string) => Promise<AccessClaims>,
    options: VerifiedAccessTokensOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.entries = new Memo({
      max: options.maxEntries ?? 10_000,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  async verify(token: string): Promise<AccessClaims> {
    const known = this.entries.get(token);
    if (known) return known;
    const now = this.now();
    const claims = await this.verifyToken(token);
    // Kept until the token expires or maxAgeMs passes, whichever is first (a TTL of 0 or less keeps nothing).
    this.entries.set(token, claims, Math.min(this.maxAgeMs, claims.expiresAt * 1000 - now));
    return claims;
  }

  get size(): number {
    return this.entries.size;
  }
}
