import type { Logger } from '@marquee/core';
import type { EventHandler } from '@marquee/platform';
import { affectedProfile } from '../app/changes.js';
import type { RecommenderStore } from '../store/recommender-store.js';
import { changeFromEvent } from './event-changes.js';

/**
 * The `recommender` consumer group's handler: read the event, apply it to the store exactly once
 * (the store dedupes on the event id), tell the trainer, and drop the profile's cached home page.
 * The invalidation runs even for a duplicate: if a first delivery failed after committing, its
 * redelivery still clears the page.
 */
export function recommenderEventHandler(deps: {
  store: Pick<RecommenderStore, 'apply'>;
  trainer: { noteEvent(kind: 'interaction' | 'title'): void };
  home: { invalidate(profileId: string): Promise<void> };
  logger: Logger;
}): EventHandler {
  return async ({ event, deliveryCount }) => {
    const change = changeFromEvent(event);
    const applied = await deps.store.apply(event.id, event.type, change);
    if (applied) deps.trainer.noteEvent(change.kind === 'title' ? 'title' : 'interaction');
    else deps.logger.debug({ eventId: event.id, type: event.type, deliveryCount }, 'event already applied');
    const profileId = affectedProfile(change);
    if (profileId) await deps.home.invalidate(profileId);
  };
}
