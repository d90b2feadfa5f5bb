import { BackgroundWork, type Logger } from '@marquee/core';
import type { Database, DeliveryOf, EventBus, Subscription } from '@marquee/platform';
import { fromFlag, toFlag } from '../store/executor.js';
import { claimEvent, findHistory, forgetEventsBefore, upsertHistory } from '../store/history-store.js';
import { findProfile } from '../store/profiles-store.js';
import type { UsersTables } from '../store/tables.js';
import { applyPlayback, type PlaybackObservation } from '../app/viewing-progress.js';

export const PLAYBACK_TYPES = ['playback.started', 'playback.heartbeat', 'playback.stopped'] as const;
export const USERS_GROUP = 'users';
/** Handled-event ids are kept this long; redelivery and replays of recent offsets fall well inside. */
export const DEDUPE_RETENTION_MS = 30 * 24 * 3600 * 1000;

export type PlaybackOutcome = 'applied' | 'duplicate' | 'stale' | 'unknown_profile';

/**
 * Applies one playback event to the profile's history, idempotently: the event id is claimed in the
 * same transaction as the change (a redelivered or replayed event finds its id taken and changes
 * nothing), and applyPlayback ignores anything not newer than what is stored.
 */
export async function applyPlaybackEvent(
  db: Database<UsersTables>,
  delivery: DeliveryOf<(typeof PLAYBACK_TYPES)[number]>,
  now: () => Date,
): Promise<PlaybackOutcome> {
  const { event } = delivery;
  const { data } = event;
  return db.transaction(async (trx) => {
    if (!(await claimEvent(trx, event.id, now().toISOString()))) return 'duplicate';
    // A session streaming ended because its slot lapsed says nothing new: its last heartbeat already
    // carried its position, and its (later) time could put that position back over a newer session's.
    if (event.type === 'playback.stopped' && data.lapsed) return 'stale';
    const profile = await findProfile(trx, data.profileId);
    // A deleted profile, or an event naming a profile of another account: nothing to record.
    if (!profile || profile.account_id !== data.accountId) return 'unknown_profile';
    const row = await findHistory(trx, data.profileId, data.titleId);
    const observation: PlaybackObservation = {
      type: event.type,
      time: event.time,
      position: data.position,
      ...(data.duration === undefined ? {} : { duration: data.duration }),
    };
    const next = applyPlayback(
      row && {
        position: row.position,
        duration: row.duration,
        completed: fromFlag(row.completed),
        startedAt: row.started_at,
        eventTime: row.event_time,
      },
      observation,
    );
    if (!next) return 'stale';
    const written = await upsertHistory(trx, {
      profile_id: data.profileId,
      title_id: data.titleId,
      position: next.position,
      duration: next.duration,
      completed: toFlag(next.completed),
      started_at: next.startedAt,
      event_time: next.eventTime,
    });
    // Not written: an event handled beside this one, and newer, committed first.
    return written ? 'applied' : 'stale';
  });
}

/** Subscribes group `users` to playback events and prunes old handled-event ids now and then. */
export async function startPlaybackHistory(options: {
  db: Database<UsersTables>;
  bus: EventBus;
  logger: Logger;
  clock: () => Date;
}): Promise<{ stop(): Promise<void> }> {
  const { db, bus, logger, clock } = options;
  // stop() waits for a prune in progress: its delete must not outlive the database.
  const background = new BackgroundWork(logger);
  const prune = () =>
    forgetEventsBefore(db.write, new Date(clock().getTime() - DEDUPE_RETENTION_MS).toISOString());
  await background.run('pruning handled playback events', prune);
  background.every(6 * 3600 * 1000, 'pruning handled playback events', prune);
  const subscription: Subscription = await bus.subscribe({
    group: USERS_GROUP,
    types: PLAYBACK_TYPES,
    concurrency: 4,
    handler: async (delivery) => {
      const outcome = await applyPlaybackEvent(db, delivery, clock);
      logger.debug({ eventId: delivery.event.id, type: delivery.event.type, outcome }, 'playback event');
    },
  });
  return {
    async stop() {
      await background.stop();
      await subscription.stop();
    },
  };
}
