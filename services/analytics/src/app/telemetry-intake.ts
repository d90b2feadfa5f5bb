import { createHash } from 'node:crypto';
import type { TelemetryBatch, TelemetryReported } from '@marquee/contracts';
import { DomainError, NotFoundError, type Identity } from '@marquee/core';
import type { Cache, EventBus } from '@marquee/platform';
import type { SessionFact, SessionFacts } from './session-facts.js';

/** A final batch sent on page hide may arrive a little after the player stopped the session. */
export const LATE_TELEMETRY_MS = 2 * 60_000;

/** Why a session may not take telemetry now from this caller; undefined when it may. */
export function refusal(
  fact: SessionFact | undefined,
  accountId: string,
  now: number,
): 'unknown' | 'ended' | undefined {
  // Another account's session answers like an unknown one: nothing to learn by probing ids.
  if (!fact || fact.accountId !== accountId) return 'unknown';
  const stopped = fact.stoppedAt === null ? Infinity : Date.parse(fact.stoppedAt);
  const ends = Math.min(stopped, Date.parse(fact.expiresAt));
  return now > ends + LATE_TELEMETRY_MS ? 'ended' : undefined;
}

/** One id per (session, seq): a batch sent twice is one event in the lake. */
export function telemetryEventId(sessionId: string, seq: number): string {
  return `tm-${createHash('sha256').update(`${sessionId}\n${seq}`).digest('hex').slice(0, 40)}`;
}

/**
 * Takes a player's batch for a live session of the caller's, under a per-session rate limit, and
 * publishes it as `telemetry.reported` with the session's own facts (who, which title): the player
 * names only the session.
 */
export class TelemetryIntake {
  constructor(
    private readonly deps: {
      sessions: SessionFacts;
      bus: EventBus;
      cache: Cache;
      /** Batches per session per minute. */
      perMinute: number;
      now?: () => number;
    },
  ) {}

  async accept(identity: Identity, sessionId: string, batch: TelemetryBatch): Promise<void> {
    const { sessions, bus, cache, perMinute } = this.deps;
    const now = this.deps.now?.() ?? Date.now();
    const used = await cache.increment(`analytics:telemetry:${sessionId}`, 60_000);
    if (used > perMinute)
      throw new DomainError('rate_limited', `At most ${perMinute} telemetry batches a minute per session`);
    const fact = await sessions.find(sessionId);
    const refused = refusal(fact, identity.accountId, now);
    if (refused === 'unknown' || !fact) throw new NotFoundError('playback session', sessionId);
    if (refused === 'ended')
      throw new DomainError(
        'telemetry.session_ended',
        'This playback session has ended; telemetry is closed',
      );
    const data: TelemetryReported = {
      ...batch,
      sessionId,
      accountId: fact.accountId,
      profileId: fact.profileId,
      titleId: fact.titleId,
      plan: identity.plan,
    };
    await bus.publish({
      type: 'telemetry.reported',
      source: 'analytics',
      subject: sessionId,
      id: telemetryEventId(sessionId, batch.seq),
      data,
    });
  }
}
