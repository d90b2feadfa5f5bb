import type { Transaction } from 'kysely';
import { enqueue, type Database, type EventData, type EventOfType, type NewEvent } from '@marquee/platform';
import { applyAssetChange, findAsset, insertAsset, snapshotOf } from '../store/assets-store.js';
import { saveContentKey } from '../store/content-keys-store.js';
import type { StreamingTables } from '../store/tables.js';
import {
  findTitle,
  genresOf,
  markPublished,
  setReadyAsset,
  setSeriesPosterIfMissing,
  type TitleRow,
} from '../store/titles-store.js';
import { nextAssetState, type AssetEvent } from './asset-state.js';

export const ASSET_EVENT_TYPES = [
  'media.uploaded',
  'media.encoding.progress',
  'media.encoded',
  'media.encoding.failed',
] as const;

export type AssetEventOutcome = 'applied' | 'stale' | 'unknown_title';

/** An event the asset consumer receives. */
export type AssetCloudEvent = EventOfType<(typeof ASSET_EVENT_TYPES)[number]>;

function toAssetEvent(event: AssetCloudEvent): AssetEvent {
  switch (event.type) {
    case 'media.uploaded':
      return { type: 'uploaded' };
    case 'media.encoding.progress': {
      const d = event.data;
      return { type: 'progress', progress: d.progress, stage: d.stage };
    }
    case 'media.encoded': {
      const d = event.data;
      return {
        type: 'encoded',
        renditions: d.renditions,
        durationSeconds: d.durationSeconds,
        ...(d.posterKey ? { posterKey: d.posterKey } : {}),
      };
    }
    case 'media.encoding.failed':
      return { type: 'failed', reason: event.data.reason };
  }
}

export function publishedEvent(
  title: TitleRow,
  assetId: string | undefined,
): NewEvent<EventData<'title.published'>> {
  return {
    type: 'title.published',
    source: 'streaming',
    subject: title.title_id,
    data: {
      titleId: title.title_id,
      ...(assetId ? { assetId } : {}),
      kind: title.kind,
      ...(title.series_id ? { seriesId: title.series_id } : {}),
      name: title.name,
      genres: genresOf(title),
      maturity: title.maturity,
      year: title.year,
    },
  };
}

/**
 * Applies one encoder/storage event to its asset, idempotently (see asset-state.ts). When an asset
 * becomes ready its title starts playing it; the first time a title has something to play it is
 * published, and `title.published` goes out through the outbox in the same transaction. An episode
 * publishes its series too, the first time.
 */
export async function applyAssetEvent(
  db: Database<StreamingTables>,
  event: AssetCloudEvent,
  now: () => Date = () => new Date(),
): Promise<AssetEventOutcome> {
  const assetEvent = toAssetEvent(event);
  const { data } = event;
  return db.transaction(async (trx) => {
    const at = now().toISOString();
    let asset = await findAsset(trx, data.assetId);
    if (!asset) {
      // The upload was never registered (or storage registered it with an older streaming): adopt it.
      const title = await findTitle(trx, data.titleId);
      if (!title || title.kind === 'series') return 'unknown_title';
      asset = {
        asset_id: data.assetId,
        title_id: data.titleId,
        state: 'uploading',
        progress: 0,
        stage: null,
        reason: null,
        renditions: null,
        duration_seconds: null,
        poster_key: null,
        upload_id: null,
        filename: 'filename' in data && typeof data.filename === 'string' ? data.filename : null,
        created_at: at,
        updated_at: at,
      };
      await insertAsset(trx, asset);
    }
    const change = nextAssetState(snapshotOf(asset), assetEvent);
    if (!change) return 'stale';
    if (!(await applyAssetChange(trx, asset.asset_id, snapshotOf(asset), change, at))) {
      // Another consumer moved the asset between our read and write: let the bus redeliver.
      throw new Error(`asset ${asset.asset_id} changed concurrently; retrying`);
    }
    if (change.state === 'ready') {
      // In the same transaction: an encrypted asset is never playable without its key on record.
      if (event.type === 'media.encoded' && event.data.contentKey) {
        await saveContentKey(trx, asset.asset_id, event.data.contentKey, at);
      }
      await onReady(trx, asset.title_id, asset.asset_id, change.posterKey, at);
    }
    return 'applied';
  });
}

async function onReady(
  trx: Transaction<StreamingTables>,
  titleId: string,
  assetId: string,
  posterKey: string | null,
  at: string,
): Promise<void> {
  const title = await findTitle(trx, titleId);
  if (!title) return;
  // A poster the operator uploaded (title-editing.ts) outranks the frame the encoder picked.
  const uploadedPoster = title.poster_key?.startsWith('assets/art-') ?? false;
  await setReadyAsset(trx, titleId, assetId, uploadedPoster ? null : posterKey, at);
  const events: NewEvent[] = [];
  if (await markPublished(trx, titleId, at)) events.push(publishedEvent(title, assetId));
  if (title.kind === 'episode' && title.series_id) {
    if (posterKey) await setSeriesPosterIfMissing(trx, title.series_id, posterKey);
    const series = await findTitle(trx, title.series_id);
    if (series && (await markPublished(trx, series.title_id, at)))
      events.push(publishedEvent(series, undefined));
  }
  if (events.length > 0) await enqueue(trx, events);
}
