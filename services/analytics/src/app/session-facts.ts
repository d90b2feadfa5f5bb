import { LRUCache } from 'lru-cache';
import { SERVICE_TOKEN_HEADER, ServiceClient, UpstreamError, serviceToken } from '@marquee/core';

/** Streaming's answer about one playback session (GET /internal/playback/:sessionId). */
export interface SessionFact {
  sessionId: string;
  accountId: string;
  profileId: string;
  titleId: string;
  expiresAt: string;
  stoppedAt: string | null;
}

export interface SessionFacts {
  /** The session, or undefined when streaming does not know it. */
  find(sessionId: string): Promise<SessionFact | undefined>;
}

/**
 * Asks streaming who a session belongs to, memoised briefly: a player reports every 30 s and on page
 * hide, and a session's owner never changes (its end is read again after the memo lapses).
 */
export function streamingSessionFacts(
  baseUrls: readonly string[],
  secret: string,
  memoMs = 20_000,
): SessionFacts {
  const client = new ServiceClient({
    service: 'streaming',
    baseUrls,
    timeoutMs: 2_000,
    retries: 1,
    headers: { [SERVICE_TOKEN_HEADER]: serviceToken(secret) },
  });
  const memo = new LRUCache<string, SessionFact>({ max: 50_000, ttl: memoMs });
  return {
    async find(sessionId) {
      const hit = memo.get(sessionId);
      if (hit) return hit;
      const res = await client.get<SessionFact>(`/internal/playback/${encodeURIComponent(sessionId)}`);
      if (res.status === 404) return undefined;
      if (res.status !== 200)
        throw new UpstreamError('upstream.unavailable', 'streaming', `streaming answered ${res.status}`);
      memo.set(sessionId, res.body);
      return res.body;
    },
  };
}
