/**
 * Playback sessions that ended before their media token expired: the edge refuses their URLs although
 * the token still verifies. Streaming's `playback.stopped` fills it (jobs/session-revocations.ts), so
 * a stopped session's URLs stop working at every edge within the event's delivery time, with no call
 * from the edge per request; a token outliving its session is the only thing it has to remember.
 *
 * An entry is kept as long as a token of its session can live (`keepMs`, the keyring's longest token
 * lifetime), then forgotten: the token has expired by then. Bounded by `maxEntries`, oldest first.
 * A Map rather than platform's Memo (lru-cache): ends are forgotten in the order they came, by walking
 * from the oldest, and lru-cache allocates all of `max` up front (~40 MB for the default million).
 */
export class RevokedSessions {
  /** Session id → when it ended (ms). A Map keeps insertion order: the first entries are the oldest. */
  private readonly ended = new Map<string, number>();

  constructor(
    private readonly keepMs: number,
    private readonly maxEntries = 1_000_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records that `sessionId` ended at `at` (ms); an end older than keepMs needs no entry. */
  revoke(sessionId: string, at: number): void {
    const now = this.now();
    if (now - at >= this.keepMs) return;
    this.forgetExpired(now);
    if (this.ended.has(sessionId)) return;
    if (this.ended.size >= this.maxEntries) this.ended.delete(this.ended.keys().next().value!);
    this.ended.set(sessionId, at);
  }

  /** On every media request: one Map lookup, none while nothing was revoked. */
  has(sessionId: string): boolean {
    return this.ended.size !== 0 && this.ended.has(sessionId);
  }

  get size(): number {
    return this.ended.size;
  }

  private forgetExpired(now: number): void {
    for (const [sessionId, at] of this.ended) {
      if (now - at < this.keepMs) break;
      this.ended.delete(sessionId);
    }
  }
}
