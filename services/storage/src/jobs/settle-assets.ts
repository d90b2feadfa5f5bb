import type { EventBus, Subscription } from '@marquee/platform';
import type { UploadStore } from '../store/uploads.js';

/**
 * Learns from the encoder when an asset is ready or failed, which starts the source's retention clock.
 * Idempotent: settling an already settled asset changes nothing.
 */
export function settleAssetsOnEncoderVerdict(bus: EventBus, uploads: UploadStore): Promise<Subscription> {
  return bus.subscribe({
    group: 'storage',
    types: ['media.encoded', 'media.encoding.failed'],
    handler: async ({ event }) => {
      const { assetId } = event.data;
      await uploads.settleAsset(
        assetId,
        event.type === 'media.encoded' ? 'ready' : 'failed',
        new Date(event.time),
      );
    },
  });
}
