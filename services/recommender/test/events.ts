import type { EventBus, NewEvent } from '@marquee/platform';
import type { CatalogEntry } from '../src/app/catalog.js';

/** Catalogue events as the other services publish them, for recommender tests. */
export function titlePublished(title: CatalogEntry): NewEvent {
  return {
    type: 'title.published',
    source: 'streaming',
    data: {
      titleId: title.titleId,
      name: title.name,
      genres: title.genres,
      maturity: title.maturity,
      year: title.year,
      ...(title.seriesId ? { seriesId: title.seriesId } : {}),
    },
  };
}

let sessions = 0;

/** A viewing session: started, then stopped at `completion` of a 100-second title; optionally rated. */
export function watched(
  profileId: string,
  titleId: string,
  options: { completion?: number; rating?: 'up' | 'down' } = {},
): NewEvent[] {
  const session = { sessionId: `s${++sessions}`, accountId: `acct-${profileId}`, profileId, titleId };
  const events: NewEvent[] = [
    { type: 'playback.started', source: 'streaming', data: { ...session, position: 0, duration: 100 } },
    {
      type: 'playback.stopped',
      source: 'streaming',
      data: { ...session, position: 100 * (options.completion ?? 1), duration: 100 },
    },
  ];
  if (options.rating)
    events.push({
      type: 'title.rated',
      source: 'users',
      data: { accountId: session.accountId, profileId, titleId, rating: options.rating },
    });
  return events;
}

export function profileCreated(profileId: string, kids: boolean, maxMaturity: string): NewEvent {
  return {
    type: 'profile.created',
    source: 'users',
    data: { accountId: `acct-${profileId}`, profileId, kids, maxMaturity },
  };
}

/** Waits until the group has acknowledged everything published so far. */
export async function drained(bus: EventBus, group: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await bus.lag(group)) > 0) {
    if (Date.now() > deadline)
      throw new Error(`${group} still has ${await bus.lag(group)} events after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
