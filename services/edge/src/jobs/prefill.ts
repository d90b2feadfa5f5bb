import type { Logger, ServiceClient } from '@marquee/core';
import type { EventBus, Subscription } from '@marquee/platform';
import { blobKeyOf } from '../app/media-path.js';
import type { AssetPlaylists } from '../cache/asset-playlists.js';
import type { MediaCache } from '../cache/media-cache.js';

/** Segments per rendition fetched ahead: the first seconds every viewer plays (4 s segments). */
export const PREFILL_SEGMENTS = 3;
const POPULAR_TITLES = 10;
const POPULAR_EVERY_MS = 5 * 60_000;
/** An edge joining late must not pre-fill the whole back catalogue from old events. */
const EVENT_MAX_AGE_MS = 60 * 60_000;

/**
 * Proactive fill: the start of an asset (master, every playlist, init segments and the first
 * segments of each rendition) is fetched before anyone asks — when a title is published (every edge
 * has its own consumer group, so each sees every event) and, every few minutes, for the most played
 * titles. Fetches go through the cache like a viewer's, one at a time, so they coalesce with real
 * requests and never compete with them for more than one origin connection.
 */
export class Prefill {
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      edgeId: string;
      bus: EventBus;
      cache: MediaCache;
      playlists: AssetPlaylists;
      streaming: ServiceClient;
      logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe({
      group: `edge-${this.deps.edgeId}`,
      types: ['title.published'],
      handler: async ({ event }) => {
        const { assetId } = event.data;
        if (!assetId || Date.now() - Date.parse(event.time) > EVENT_MAX_AGE_MS) return;
        void this.enqueue(assetId);
      },
    });
    const popular = () => {
      void this.fillPopular();
      this.timer = setTimeout(popular, POPULAR_EVERY_MS);
      this.timer.unref();
    };
    this.timer = setTimeout(popular, 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.subscription?.stop();
    await this.queue;
  }

  /** Queues an asset; resolves with how many objects it now holds of the asset's start. */
  enqueue(assetId: string): Promise<number> {
    const run = this.queue.then(() => this.fillAsset(assetId));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async fillAsset(assetId: string): Promise<number> {
    const { cache, playlists, logger } = this.deps;
    try {
      await playlists.master(assetId);
      let held = 1;
      for (const { path, files } of (await playlists.index(assetId)).playlists) {
        await cache.get(blobKeyOf(assetId, path));
        held++;
        // Files are listed the init segment first (EXT-X-MAP precedes the segments), then segments in order.
        for (const file of files.slice(0, PREFILL_SEGMENTS + 1)) {
          if (await cache.prefetch(blobKeyOf(assetId, file))) held++;
        }
      }
      logger.info({ assetId, objects: held }, 'pre-filled the start of an asset');
      return held;
    } catch (err) {
      logger.warn({ err, assetId }, 'pre-fill failed');
      return 0;
    }
  }

  private async fillPopular(): Promise<void> {
    try {
      const res = await this.deps.streaming.get<{ items?: { assetId: string }[] }>(
        '/internal/popular-assets',
        {
          query: { limit: POPULAR_TITLES },
        },
      );
      for (const { assetId } of res.status === 200 ? (res.body.items ?? []) : []) await this.enqueue(assetId);
    } catch (err) {
      this.deps.logger.debug({ err }, 'popular titles unavailable for pre-fill');
    }
  }
}
