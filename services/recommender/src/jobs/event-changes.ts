import { DomainError } from '@marquee/core';
import { eventCatalogue, type CloudEvent, type EventOfType } from '@marquee/platform';
import { Value } from '@sinclair/typebox/value';
import type { RecommenderChange } from '../app/changes.js';
import { completionOf } from '../app/interaction-weight.js';

/** The event types the recommender consumes (group `recommender`). */
export const CONSUMED_EVENT_TYPES = [
  'title.published',
  'profile.created',
  'playback.started',
  'playback.heartbeat',
  'playback.stopped',
  'title.rated',
  'mylist.changed',
  'account.deleted',
] as const;
type Consumed = (typeof CONSUMED_EVENT_TYPES)[number];

export class UnreadableEventError extends DomainError {
  constructor(event: CloudEvent, reason: string) {
    super('recommender.unreadable_event', `${event.type} ${event.id}: ${reason}`, {
      eventId: event.id,
      type: event.type,
    });
  }
}

function isConsumed(type: string): type is Consumed {
  return (CONSUMED_EVENT_TYPES as readonly string[]).includes(type);
}

/** Checks the event's data against the catalogue schema of its type; throws what does not match. */
function assertReadable(event: CloudEvent): asserts event is EventOfType<Consumed> {
  const type = event.type;
  if (!isConsumed(type)) throw new UnreadableEventError(event, 'not a type the recommender consumes');
  const schema = eventCatalogue[type];
  if (!Value.Check(schema, event.data)) {
    const first = Value.Errors(schema, event.data).First();
    throw new UnreadableEventError(event, `data ${first?.path ?? ''} ${first?.message ?? 'is invalid'}`);
  }
}

/** Optional string fields a newer producer may add (the catalogue allows additional properties). */
function optionalString(data: object, key: string): string | null {
  const value = (data as Record<string, unknown>)[key];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * Reads a delivered event as a RecommenderChange, checking its data against the event catalogue. An
 * event that does not match is an error (it goes to the dead-letter stream, where someone can see it),
 * never silently skipped.
 */
export function changeFromEvent(event: CloudEvent): RecommenderChange {
  assertReadable(event);
  const at = new Date(event.time).toISOString();
  const version = `${at}|${event.id}`;
  switch (event.type) {
    case 'title.published': {
      const d = event.data;
      return {
        kind: 'title',
        titleId: d.titleId,
        name: d.name,
        genres: d.genres,
        maturity: d.maturity,
        year: d.year,
        posterUrl: optionalString(d, 'posterUrl'),
        seriesId: optionalString(d, 'seriesId'),
        at,
        version,
      };
    }
    case 'profile.created': {
      const d = event.data;
      return {
        kind: 'profile',
        profileId: d.profileId,
        accountId: d.accountId,
        kids: d.kids,
        maxMaturity: d.maxMaturity,
        at,
      };
    }
    case 'playback.started':
    case 'playback.heartbeat':
    case 'playback.stopped': {
      const d = event.data;
      return {
        kind: 'playback',
        profileId: d.profileId,
        titleId: d.titleId,
        completion: completionOf(d.position, d.duration),
        started: event.type === 'playback.started',
        at,
      };
    }
    case 'title.rated': {
      const d = event.data;
      return { kind: 'rating', profileId: d.profileId, titleId: d.titleId, rating: d.rating, at, version };
    }
    case 'mylist.changed': {
      const d = event.data;
      return { kind: 'list', profileId: d.profileId, titleId: d.titleId, inList: d.inList, at, version };
    }
    case 'account.deleted': {
      const d = event.data;
      return { kind: 'account_deleted', accountId: d.accountId, profileIds: d.profileIds, at };
    }
  }
}
