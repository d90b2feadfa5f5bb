import type { MediaKeyring, MediaTokenCheck } from '@marquee/core';

/**
 * Remembers tokens whose signature checked out. A player fetches hundreds of segments with one
 * token, and the HMAC, base64 and JSON work of verifying it was the edge's largest piece of
 * per-request JavaScript. Only valid tokens are kept (a flood of forged ones costs a verification
 * each and cannot evict much: the map is bounded and oldest-first); expiry is checked on every use.
 */
export class VerifiedTokens {
  private readonly valid = new Map<string, MediaTokenCheck & { ok: true }>();

  constructor(
    private readonly keys: MediaKeyring,
    private readonly maxEntries = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  verify(token: string): MediaTokenCheck {
    const now = this.now();
    const known = this.valid.get(token);
    if (known) {
      if (known.payload.exp * 1000 > now) return known;
      this.valid.delete(token);
      return { ok: false, reason: 'expired' };
    }
    const check = this.keys.verify(token, now);
    if (check.ok) {
      if (this.valid.size >= this.maxEntries) this.valid.delete(this.valid.keys().next().value!);
      this.valid.set(token, check);
    }
    return check;
  }
}
