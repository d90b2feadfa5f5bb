import type { Logger } from '@marquee/core';
import type { Database, EventBus, OutboxRelay, Subscription } from '@marquee/platform';
import { applyAssetEvent, ASSET_EVENT_TYPES } from '../app/asset-events.js';
import type { StreamingTables } from '../store/tables.js';

export const STREAMING_GROUP = 'streaming';

/**
 * Keeps asset state in step with storage and the encoder. Handlers are idempotent (asset state only
 * moves forward), so redelivery is harmless; a publish is flushed at once so edges pre-fill promptly.
 */
export function startAssetConsumer(deps: {
  bus: EventBus;
  db: Database<StreamingTables>;
  relay: OutboxRelay;
  logger: Logger;
  /** Called when an asset became ready (so memoised playable titles are re-read). */
  onReady?: (titleId: string) => void;
}): Promise<Subscription> {
  return deps.bus.subscribe({
    group: STREAMING_GROUP,
    types: ASSET_EVENT_TYPES,
    concurrency: 4,
    handler: async ({ event }) => {
      const outcome = await applyAssetEvent(deps.db, event);
      const { data } = event;
      if (outcome === 'unknown_title') {
        deps.logger.warn(
          { eventId: event.id, type: event.type, titleId: data.titleId },
          'event for an unknown title',
        );
      } else if (outcome === 'applied' && event.type !== 'media.encoding.progress') {
        deps.logger.info({ assetId: data.assetId, type: event.type }, 'asset state changed');
        if (event.type === 'media.encoded') {
          deps.onReady?.(data.titleId);
          await deps.relay.flush().catch((err: unknown) => deps.logger.warn({ err }, 'outbox flush failed'));
        }
      }
    },
  });
}
