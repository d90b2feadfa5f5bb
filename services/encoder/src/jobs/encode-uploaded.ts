import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger } from '@marquee/core';
import { newContentKey, type ContentKeyring, type WrappedContentKey } from '@marquee/core/content-keys';
import {
  validateKey,
  type BlobStore,
  type EventBus,
  type EventData,
  type EventHandler,
  type Leases,
} from '@marquee/platform';
import { planChunks } from '../app/chunks.js';
import {
  DEFAULT_ENCODER_SETTINGS,
  encodePrepared,
  prepareEncode,
  type EncoderSettings,
} from '../app/encode-asset.js';
import { progressReporter } from '../app/progress.js';
import { MediaRejectedError } from '../app/errors.js';
import type { EncodedAsset } from '../app/finish-outputs.js';
import type { MediaTools } from '../media/media-tools.js';
import { failAsset, hasChunkPlan, startChunkedEncode } from './chunked-encode.js';
import { keepDeliveryLeased } from './delivery-lease.js';
import {
  assetPrefix,
  clearAsset,
  downloadSidecars,
  downloadSource,
  finishedSummary,
  MASTER_KEY,
  uploadAsset,
} from './asset-blobs.js';

export interface EncodeJobDeps {
  bus: EventBus;
  blobs: BlobStore;
  tools: MediaTools;
  logger: Logger;
  /** Job directories go here (one per asset, removed after the job). */
  scratchDir: string;
  settings?: EncoderSettings;
  /** The consumer group's maxDeliveries: the last attempt reports the asset failed. */
  maxDeliveries: number;
  /** Aborted when the worker stops: running encodes are killed and their events redelivered. */
  signal: AbortSignal;
  /** How often a running job extends its event's lease (well inside the group's ackTimeoutMs). */
  extendLeaseEveryMs: number;
  /** When given, each asset is encrypted with its own new key, published only wrapped by this keyring. */
  contentKeys?: ContentKeyring;
  /** Shared by every replica: a chunked asset is assembled under a lease of its own (chunk-assembly.ts). */
  leases: Leases;
}

type Encoded = EventData<'media.encoded'>;

const SOURCE = 'encoder';

/**
 * Handles one `media.uploaded`: source from blobs → encodeAsset → outputs to `assets/<assetId>/`
 * (master playlist last) → `media.encoded`. Idempotent: an asset whose master playlist is already
 * stored is announced again without re-encoding; otherwise a redelivered job clears the prefix and
 * starts from scratch. Rejected media is reported `media.encoding.failed` and acknowledged; other
 * failures throw so the bus redelivers, and the last allowed attempt reports the asset failed before
 * the event goes to the dead-letter stream. While the job runs it extends the event's lease; if the
 * lease is lost anyway (the event may be running elsewhere) the job is abandoned, writing nothing more.
 */
export function encodeUploadedHandler(deps: EncodeJobDeps): EventHandler<'media.uploaded'> {
  const running = new Set<string>();
  return async (delivery) => {
    const { data } = delivery.event;
    const { assetId, titleId } = data;
    const log = deps.logger.child({ assetId, titleId, delivery: delivery.deliveryCount });
    const failed = (reason: string) =>
      deps.bus.publish({
        type: 'media.encoding.failed',
        source: SOURCE,
        subject: assetId,
        data: { assetId, titleId, reason },
      });

    try {
      validateKey(`${assetPrefix(assetId)}${MASTER_KEY}`);
    } catch {
      log.error('media.uploaded names an asset id that cannot be a blob key; dropped');
      await failed('The asset id is not usable as a storage key.');
      return;
    }
    // The bus only redelivers a running event after its ack timeout; refuse a twin rather than race it.
    if (running.has(assetId)) throw new Error(`asset ${assetId} is already being encoded by this worker`);

    const done = await finishedSummary<Encoded>(deps.blobs, assetId);
    if (done) {
      log.info('asset already encoded; announcing it again');
      await deps.bus.publish({ type: 'media.encoded', source: SOURCE, subject: assetId, data: done });
      return;
    }

    running.add(assetId);
    const lease = keepDeliveryLeased(delivery, {
      everyMs: deps.extendLeaseEveryMs,
      signal: deps.signal,
      logger: log,
    });
    const jobDir = join(deps.scratchDir, createHash('sha256').update(assetId).digest('hex').slice(0, 32));
    let progress: Promise<unknown> = Promise.resolve();
    // Once the title is chunked, its failure also removes the chunk outputs (failAsset).
    let chunked = false;
    const fail = (reason: string) => (chunked ? failAsset(deps, assetId, titleId, reason) : failed(reason));
    try {
      await rm(jobDir, { recursive: true, force: true });
      await mkdir(jobDir, { recursive: true });
      const sourcePath = join(jobDir, 'source');
      await downloadSource(deps.blobs, data.key, data.sha256, sourcePath);
      const sidecars = await downloadSidecars(deps.blobs, titleId, join(jobDir, 'sidecars'));
      await clearAsset(deps.blobs, assetId);
      log.info({ size: data.size, sidecars: sidecars.length }, 'encoding');

      const workDir = join(jobDir, 'out');
      const settings = deps.settings ?? DEFAULT_ENCODER_SETTINGS;
      // encodeAsset reports at most once a second; publishing in order, never blocking the encode.
      const report = progressReporter(({ fraction, stage }) => {
        progress = progress
          .then(() =>
            deps.bus.publish({
              type: 'media.encoding.progress',
              source: SOURCE,
              subject: assetId,
              data: { assetId, titleId, progress: fraction, stage },
            }),
          )
          .catch((err: unknown) => log.warn({ err }, 'progress not published'));
      });
      const chunking = (settings.chunkSeconds ?? 0) > 0;
      if (chunking && (await hasChunkPlan(deps.blobs, assetId))) {
        chunked = true;
        await startChunkedEncode(deps, { data, jobDir, signal: lease.signal, log });
        return;
      }
      const prepared = await prepareEncode(
        deps.tools,
        { sourcePath, sidecars, workDir, signal: lease.signal },
        settings,
        report,
      );
      const chunks = planChunks(
        prepared.plan.source.durationSeconds,
        settings.chunkSeconds ?? 0,
        settings.segmentSeconds,
      );
      if (chunks.length > 0) {
        await progress;
        chunked = true;
        await startChunkedEncode(deps, {
          data,
          planned: { prepared, chunks },
          jobDir,
          signal: lease.signal,
          log,
        });
        return;
      }
      // A new key per attempt: a redelivered job re-encodes from scratch, so nothing of an older key is left.
      const contentKey = deps.contentKeys ? newContentKey() : undefined;
      const asset = await encodePrepared(
        deps.tools,
        workDir,
        prepared,
        settings,
        { signal: lease.signal, ...(contentKey ? { contentKey } : {}) },
        report,
      );
      const summary = encodedEvent(assetId, titleId, asset, contentKey && deps.contentKeys?.wrap(contentKey));
      contentKey?.fill(0);
      // Another delivery owns the asset's prefix once the lease is lost: leave it alone.
      lease.signal.throwIfAborted();
      await uploadAsset(deps.blobs, assetId, workDir, asset.files, summary);
      await progress;
      await deps.bus.publish({ type: 'media.encoded', source: SOURCE, subject: assetId, data: summary });
      log.info({ renditions: summary.renditions.length, seconds: asset.durationSeconds }, 'encoded');
    } catch (err) {
      await progress;
      if (err instanceof MediaRejectedError) {
        log.info({ reason: err.reason }, 'media rejected');
        await fail(err.reason);
        return;
      }
      if (delivery.deliveryCount >= deps.maxDeliveries && !lease.signal.aborted) {
        const message = err instanceof Error ? err.message : String(err);
        await fail(`Encoding failed ${delivery.deliveryCount} times; the last error: ${message}`);
      }
      throw err;
    } finally {
      running.delete(assetId);
      await rm(jobDir, { recursive: true, force: true });
      lease.stop();
    }
  };
}

/**
 * The `media.encoded` data: what the streaming service records about the asset. An encrypted asset's
 * key travels only wrapped (streaming unwraps it for a live entitled session; asset.json keeps the
 * same summary, so a redelivered event announces the same key).
 */
export function encodedEvent(
  assetId: string,
  titleId: string,
  asset: EncodedAsset,
  contentKey?: WrappedContentKey,
): Encoded {
  const prefix = assetPrefix(assetId);
  return {
    assetId,
    titleId,
    renditions: asset.renditions.map((r) => ({
      codec: r.codec,
      height: r.height,
      width: r.width,
      bandwidth: r.bandwidth,
      averageBandwidth: r.averageBandwidth,
      codecs: r.codecs,
      frameRate: r.frameRate,
    })),
    durationSeconds: asset.durationSeconds,
    posterKey: `${prefix}${asset.posterPath}`,
    masterKey: `${prefix}${asset.masterPlaylist}`,
    trickplayKey: `${prefix}${asset.trickplay.indexPath}`,
    audio: asset.audio.map((a) => ({
      name: a.name,
      language: a.language ?? null,
      channels: a.channels,
      ...(a.loudness ? { loudness: a.loudness } : {}),
    })),
    subtitles: asset.subtitles.map((s) => ({ name: s.name, language: s.language ?? null })),
    ...(contentKey ? { contentKey } : {}),
  } as Encoded;
}
