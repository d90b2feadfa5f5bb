import type { MediaKeyring, MediaTokenCheck } from '@marquee/core';
import { Memo } from '@marquee/platform';
import type { RevokedSessions } from './revoked-sessions.js';

/** The keyring's answer, or: the token verifies but its session has ended. */
export type EdgeTokenCheck = MediaTokenCheck | { ok: false; reason: 'session_ended' };

/**
 * Remembers tokens whose signature checked out. A player fetches hundreds of segments with one
 * token, and the HMAC, base64 and JSON work of verifying it was the edge's largest piece of
 * per-request JavaScript. Only valid tokens are kept (a flood of forged ones costs a verification
 * each and cannot evict much: the memo is bounded, least recently used first, so the tokens players
 * are using stay); expiry and whether the session has ended (`revoked`) are checked on every use.
 */
export class VerifiedMediaTokens {
  private readonly valid: Memo<string, MediaTokenCheck & { ok: true }>;

  constructor(
    private readonly keys: MediaKeyring,
    private readonly revoked?: RevokedSessions,
    maxEntries = 20_000,
    private readonly now: () => number = Date.now,
  ) {
    this.valid = new Memo({ max: maxEntries });
  }

  verify(token: string): EdgeTokenCheck {
    const now = this.now();
    const known = this.valid.get(token);
    if (known) {
      if (known.payload.exp * 1000 <= now) {
        this.valid.delete(token);
        return { ok: false, reason: 'expired' };
      }
      return this.revoked?.has(known.payload.session) ? ENDED : known;
    }
    const check = this.keys.verify(token, now);
    if (check.ok) {
      if (this.revoked?.has(check.payload.session)) return ENDED;
      this.valid.set(token, check);
    }
    return check;
  }
}

const ENDED = Object.freeze({ ok: false, reason: 'session_ended' } as const);
