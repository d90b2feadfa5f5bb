import { DomainError, NotFoundError, type Identity } from '@marquee/core';
import type { Cache } from '@marquee/platform';
import type { AuthorisedPlayback, Playback, PlaybackStart } from './playback.js';

/** How long a prepared playback waits for Play; the web app prepares again after this. */
export const PREPARED_TTL_MS = 5 * 60_000;
/** Prepares per account per minute: well above a browsing viewer's, far below a scraper's. */
export const PREPARES_PER_MINUTE = 60;

/** What a prepared playback answers: the start's answer, plus until when Play may open it. */
export interface PreparedPlaybackAnswer extends PlaybackStart {
  preparedUntil: string;
}

interface PreparedEntry {
  accountId: string;
  plan: string;
  authorised: AuthorisedPlayback;
}

const preparedKey = (sessionId: string) => `streaming:prepared:${sessionId}`;
const claimKey = (sessionId: string) => `streaming:prepared-claim:${sessionId}`;
const rateKey = (accountId: string, window: number) => `streaming:prepare-rate:${accountId}:${window}`;

/**
 * Instant play (issue 23): while a viewer lingers on a title, the web app prepares its playback. The
 * preparation is a start's every check and answer (Playback.authorise) kept in the cache for a few
 * minutes, with no stream slot, no session row, no `playback.started` and no play count — so titles
 * looked at and never played cost nothing and count nothing. Its media token already opens the
 * master, playlists and segments, which the web app prefetches; an encrypted asset's key is only
 * given to a session row (ContentKeyIssuer), so nothing prepared decrypts before Play. Play opens it
 * (Playback.open): the stream limit is applied then, as on a cold start.
 */
export class PreparedPlayback {
  constructor(private readonly deps: { playback: Playback; cache: Cache; now?: () => number }) {}

  async prepare(
    identity: Identity,
    input: { profileId: string; titleId: string },
  ): Promise<PreparedPlaybackAnswer> {
    const { cache, playback } = this.deps;
    const now = this.deps.now?.() ?? Date.now();
    const count = await cache.increment(rateKey(identity.accountId, Math.floor(now / 60_000)), 60_000);
    if (count > PREPARES_PER_MINUTE) {
      throw new DomainError(
        'playback.prepare_rate',
        `At most ${PREPARES_PER_MINUTE} playbacks are prepared a minute`,
        {
          retryAfterSeconds: 60 - Math.floor((now % 60_000) / 1000),
        },
      );
    }
    const authorised = await playback.authorise(identity, input);
    const entry: PreparedEntry = { accountId: identity.accountId, plan: identity.plan, authorised };
    await cache.set(preparedKey(authorised.row.session_id), entry, PREPARED_TTL_MS);
    return { ...authorised.answer, preparedUntil: new Date(now + PREPARED_TTL_MS).toISOString() };
  }

  /**
   * Play on a prepared playback: once, by the account that prepared it, before it lapses. Another
   * account's, a lapsed or an already started one answers 404 alike (nothing to learn by probing); a
   * plan changed since the preparation answers 404 too, and the player starts cold under the new plan.
   */
  async start(identity: Identity, sessionId: string): Promise<PlaybackStart> {
    const { cache, playback } = this.deps;
    const entry = await cache.get<PreparedEntry>(preparedKey(sessionId));
    if (!entry || entry.accountId !== identity.accountId || entry.plan !== identity.plan) {
      throw new NotFoundError('prepared playback', sessionId);
    }
    // Two Plays of one preparation (a double click, a retried request): the first one opens it.
    if ((await cache.increment(claimKey(sessionId), PREPARED_TTL_MS)) !== 1) {
      throw new NotFoundError('prepared playback', sessionId);
    }
    await cache.delete(preparedKey(sessionId));
    return playback.open(identity, entry.authorised);
  }
}
