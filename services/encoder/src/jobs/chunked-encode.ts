import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@marquee/core';
import type { BlobStore, EventData, EventHandler } from '@marquee/platform';
import {
  buildChunkArgs,
  buildTitleArgs,
  chunkLabel,
  revivePlan,
  storePlan,
  type Chunk,
} from '../app/chunks.js';
import { DEFAULT_ENCODER_SETTINGS, type EncoderSettings, type PreparedEncode } from '../app/encode-asset.js';
import { subtitleDir } from '../app/encode-args.js';
import { MediaRejectedError } from '../app/errors.js';
import { runFfmpeg } from '../media/ffmpeg-runs.js';
import { downloadSource, finishedSummary } from './asset-blobs.js';
import {
  chunkPrefix,
  DONE_FILE,
  encodesPrefix,
  exists,
  planKey,
  putJson,
  readJson,
  removeChunkedEncode,
  removePrefix,
  titlePrefix,
  uploadDir,
  type ChunkedPlan,
} from './chunk-blobs.js';
import { keepDeliveryLeased } from './delivery-lease.js';
import type { EncodeJobDeps } from './encode-uploaded.js';

/**
 * Chunked parallel encoding (issue 16 §1). The `media.uploaded` job plans (probe, ladder, loudness:
 * prepareEncode), stores the plan, asks for every chunk on the event stream and encodes the whole
 * title's audio, poster and subtitles itself; each `media.chunk.requested` job — on any replica —
 * encodes one chunk's ladder to the blob store; whichever job completes the last piece asks for the
 * assembly, which joins the chunks (init segment of chunk 0, fragments re-timed), makes the trickplay
 * sheets, and finishes the asset exactly as a one-piece encode does. Every job is an event of group
 * `encoder`: a killed worker's job is redelivered to another, and only that job is redone.
 */

export const SOURCE = 'encoder';
type Uploaded = EventData<'media.uploaded'>;

/** Stable event ids: a repeated request (a redelivered planning job) is dropped by a deduplicating bus. */
export const eventId = (kind: string, assetId: string, index = 0) =>
  `${kind}-${createHash('sha256').update(assetId).digest('hex').slice(0, 32)}-${index}`;

export const settingsOf = (deps: EncodeJobDeps): EncoderSettings => deps.settings ?? DEFAULT_ENCODER_SETTINGS;

export const storedPrepared = (stored: ChunkedPlan, sourcePath: string): PreparedEncode => ({
  plan: revivePlan(stored.plan, sourcePath),
  textSubtitles: stored.textSubtitles,
  sidecars: [],
  sourceLoudness: stored.sourceLoudness.map((r) => r ?? undefined),
  encodeLimits: stored.encodeLimits,
});

/**
 * The planning job's second half, once prepareEncode chose chunks: stores the plan, asks for the
 * chunks, encodes the title's audio, poster and subtitles into `title/`, and asks for the assembly
 * if the chunks are done already. A redelivered planning job reuses the stored plan.
 */
export async function startChunkedEncode(
  deps: EncodeJobDeps,
  job: {
    data: Uploaded;
    /** The new plan; absent when a stored one is reused (a redelivered planning job). */
    planned?: { prepared: PreparedEncode; chunks: Chunk[] };
    jobDir: string;
    signal: AbortSignal;
    log: Logger;
  },
): Promise<void> {
  const { data, jobDir, signal, log } = job;
  const { assetId, titleId } = data;
  let stored = await readJson<ChunkedPlan>(deps.blobs, planKey(assetId));
  if (!stored) {
    if (!job.planned) throw new Error(`asset ${assetId} has no stored chunk plan`);
    const { prepared: fresh, chunks } = job.planned;
    await removePrefix(deps.blobs, encodesPrefix(assetId));
    stored = {
      source: { key: data.key, sha256: data.sha256 },
      plan: storePlan(fresh.plan),
      chunks,
      textSubtitles: fresh.textSubtitles,
      sourceLoudness: fresh.sourceLoudness.map((r) => r ?? null),
      encodeLimits: fresh.encodeLimits,
    };
    await putJson(deps.blobs, planKey(assetId), stored);
  }
  const count = stored.chunks.length;
  const pending: Chunk[] = [];
  for (const chunk of stored.chunks)
    if (!(await exists(deps.blobs, `${chunkPrefix(assetId, chunk.index)}${DONE_FILE}`))) pending.push(chunk);
  await deps.bus.publish(
    pending.map((chunk) => ({
      id: eventId('chunk', assetId, chunk.index),
      type: 'media.chunk.requested',
      source: SOURCE,
      subject: assetId,
      data: { assetId, titleId, index: chunk.index, count },
    })),
  );
  log.info({ chunks: count, pending: pending.length }, `encoding in ${count} chunks`);

  if (!(await exists(deps.blobs, `${titlePrefix(assetId)}${DONE_FILE}`))) {
    const plan = revivePlan(stored.plan, join(jobDir, 'source'));
    const outDir = join(jobDir, 'title');
    await mkdir(outDir, { recursive: true });
    for (const k of plan.subtitles.keys()) await mkdir(join(outDir, subtitleDir(k)));
    await runFfmpeg(
      deps.tools,
      buildTitleArgs(plan),
      outDir,
      'Encoding the audio',
      plan.source.durationSeconds,
      {
        limits: stored.encodeLimits,
        signal,
      },
    );
    await uploadDir(deps.blobs, outDir, titlePrefix(assetId));
    await putJson(deps.blobs, `${titlePrefix(assetId)}${DONE_FILE}`, { at: new Date().toISOString() });
    if (await removedIfSettled(deps, assetId, titlePrefix(assetId), log)) return;
    log.info('title audio, poster and subtitles stored');
  }
  await requestAssemblyWhenComplete(deps, assetId, titleId, count);
}

/** Publishes progress (chunks done of all) and, once every piece is stored, asks for the assembly. */
async function requestAssemblyWhenComplete(
  deps: EncodeJobDeps,
  assetId: string,
  titleId: string,
  count: number,
): Promise<void> {
  let done = 0;
  for (let i = 0; i < count; i += 1)
    if (await exists(deps.blobs, `${chunkPrefix(assetId, i)}${DONE_FILE}`)) done += 1;
  await deps.bus.publish({
    type: 'media.encoding.progress',
    source: SOURCE,
    subject: assetId,
    data: {
      assetId,
      titleId,
      progress: Math.round((0.05 + (0.9 * done) / count) * 1000) / 1000,
      stage: `encoding chunks ${done}/${count}`,
    },
  });
  if (done < count || !(await exists(deps.blobs, `${titlePrefix(assetId)}${DONE_FILE}`))) return;
  await deps.bus.publish({
    id: eventId('assembly', assetId),
    type: 'media.assembly.requested',
    source: SOURCE,
    subject: assetId,
    data: { assetId, titleId, count },
  });
}

/** Whether a chunked encode of the asset was planned already (its planning job is redelivered). */
export const hasChunkPlan = (blobs: BlobStore, assetId: string): Promise<boolean> =>
  exists(blobs, planKey(assetId));

/**
 * Fails a chunked asset: removes its chunk outputs and plan from the blob store (the plan first, so its
 * other chunk jobs stop), then reports the failure with its reason. A cleanup that fails is only
 * logged: the reason must still reach the asset, and a leftover prefix is garbage, not a live encode.
 */
export async function failAsset(
  deps: EncodeJobDeps,
  assetId: string,
  titleId: string,
  reason: string,
): Promise<void> {
  try {
    await removeChunkedEncode(deps.blobs, assetId, 'first');
  } catch (err) {
    deps.logger.warn({ assetId, err }, 'could not remove the failed chunked encode; encodes/ keeps it');
  }
  await deps.bus.publish({
    type: 'media.encoding.failed',
    source: SOURCE,
    subject: assetId,
    data: { assetId, titleId, reason },
  });
}

/**
 * Whether an asset's chunk job has nothing (more) to do: encoded, failed (its plan removed) or never
 * planned; else its plan.
 */
export async function settled(deps: EncodeJobDeps, assetId: string): Promise<ChunkedPlan | 'settled'> {
  if (await finishedSummary(deps.blobs, assetId)) return 'settled';
  return (await readJson<ChunkedPlan>(deps.blobs, planKey(assetId))) ?? 'settled';
}

/**
 * After a job stored its piece: if the asset failed (or was finished) meanwhile, its plan is gone and
 * the piece is garbage that the failure's cleanup may have listed too early to see: removed here.
 */
async function removedIfSettled(
  deps: EncodeJobDeps,
  assetId: string,
  prefix: string,
  log: Logger,
): Promise<boolean> {
  if (await exists(deps.blobs, planKey(assetId))) return false;
  await removePrefix(deps.blobs, prefix);
  log.info('the asset settled while this piece was encoded; its outputs removed');
  return true;
}

/**
 * `media.chunk.requested`: encodes one chunk's ladder from the source into `chunks/<i>/` (done.json
 * last). A chunk already done is not encoded again. Failures throw (the bus redelivers, to any
 * replica); the last allowed attempt fails the asset with the chunk and the error as the reason.
 */
export function chunkHandler(deps: EncodeJobDeps): EventHandler<'media.chunk.requested'> {
  return async (delivery) => {
    const { assetId, titleId, index, count } = delivery.event.data;
    const log = deps.logger.child({ assetId, titleId, chunk: index, delivery: delivery.deliveryCount });
    const stored = await settled(deps, assetId);
    if (stored === 'settled') return;
    const chunk = stored.chunks[index];
    if (!chunk) {
      log.error('chunk index outside the plan; dropped');
      return;
    }
    const label = chunkLabel(chunk, stored.plan.source.durationSeconds);
    if (await exists(deps.blobs, `${chunkPrefix(assetId, index)}${DONE_FILE}`)) {
      await requestAssemblyWhenComplete(deps, assetId, titleId, count);
      return;
    }
    const lease = keepDeliveryLeased(delivery, {
      everyMs: deps.extendLeaseEveryMs,
      signal: deps.signal,
      logger: log,
    });
    const jobDir = join(deps.scratchDir, `${eventId('chunk', assetId, index)}`);
    try {
      await rm(jobDir, { recursive: true, force: true });
      await mkdir(jobDir, { recursive: true });
      const sourcePath = join(jobDir, 'source');
      await downloadSource(deps.blobs, stored.source.key, stored.source.sha256, sourcePath);
      log.info(
        { startSeconds: chunk.startSeconds, endSeconds: chunk.startSeconds + (chunk.durationSeconds ?? NaN) },
        `encoding ${label}`,
      );
      const plan = revivePlan(stored.plan, sourcePath);
      const outDir = join(jobDir, 'out');
      await mkdir(outDir);
      const seconds = chunk.durationSeconds ?? plan.source.durationSeconds - chunk.startSeconds;
      const { limits } = settingsOf(deps);
      await runFfmpeg(deps.tools, buildChunkArgs(plan, chunk), outDir, `Encoding ${label}`, seconds, {
        limits: {
          wallTimeMs: Math.max(
            limits.encode.minWallTimeMs,
            seconds * 1000 * limits.encode.maxRealtimeMultiple,
          ),
          memoryBytes: stored.encodeLimits.memoryBytes,
        },
        signal: lease.signal,
      });
      lease.signal.throwIfAborted();
      await uploadDir(deps.blobs, outDir, chunkPrefix(assetId, index));
      await putJson(deps.blobs, `${chunkPrefix(assetId, index)}${DONE_FILE}`, {
        at: new Date().toISOString(),
      });
      if (await removedIfSettled(deps, assetId, chunkPrefix(assetId, index), log)) return;
      log.info(`encoded ${label}`);
      await requestAssemblyWhenComplete(deps, assetId, titleId, count);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ err: message }, `${label} failed`);
      if (err instanceof MediaRejectedError) {
        await failAsset(deps, assetId, titleId, `${label}: ${err.reason}`);
        return;
      }
      if (delivery.deliveryCount >= deps.maxDeliveries && !lease.signal.aborted) {
        await failAsset(
          deps,
          assetId,
          titleId,
          `Encoding ${label} failed ${delivery.deliveryCount} times; the last error: ${message}`,
        );
      }
      throw err;
    } finally {
      lease.stop();
      await rm(jobDir, { recursive: true, force: true });
    }
  };
}
