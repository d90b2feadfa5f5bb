import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@marquee/core';
import { newContentKey } from '@marquee/core/content-keys';
import {
  takeReplicaLease,
  type BlobStore,
  type DeliveryOf,
  type EventData,
  type EventHandler,
  type ReplicaLease,
} from '@marquee/platform';
import { joinMediaPlaylists } from '@marquee/core/hls';
import { buildTrickplayArgs, type Chunk } from '../app/chunks.js';
import { completeEncode } from '../app/encode-asset.js';
import { hlsVariantDir, MEDIA_PLAYLIST, videoOutputs } from '../app/encode-args.js';
import { MediaRejectedError } from '../app/errors.js';
import { retimeSegment, sampleDescription } from '../app/fragments.js';
import { readSidecars } from '../app/subtitle-outputs.js';
import { TRICKPLAY_DIR, TRICKPLAY_PATTERN } from '../app/trickplay.js';
import { runFfmpeg } from '../media/ffmpeg-runs.js';
import { clearAsset, downloadSidecars, finishedSummary, uploadAsset } from './asset-blobs.js';
import {
  chunkPrefix,
  downloadPrefix,
  exists,
  planKey,
  removeChunkedEncode,
  titlePrefix,
  type ChunkedPlan,
} from './chunk-blobs.js';
import { eventId, failAsset, settingsOf, settled, SOURCE, storedPrepared } from './chunked-encode.js';
import { keepDeliveryLeased } from './delivery-lease.js';
import { encodedEvent, type EncodeJobDeps } from './encode-uploaded.js';

// The assembly of a chunked encode (issue 16 §1; the jobs before it are in chunked-encode.ts).

/**
 * `media.assembly.requested`: joins the chunks into the asset and finishes it like a one-piece encode
 * (measure, master playlist, output loudness, encryption), uploads it (master last), announces
 * `media.encoded` and removes the chunk outputs. The request may come twice (the title job and the last
 * chunk both see everything stored; a redelivery): one delivery at a time assembles, under a lease per
 * asset that every replica shares, and one finding the asset stored and announced does nothing.
 */
export function assemblyHandler(deps: EncodeJobDeps): EventHandler<'media.assembly.requested'> {
  return async (delivery) => {
    const { assetId, titleId } = delivery.event.data;
    const log = deps.logger.child({ assetId, titleId, delivery: delivery.deliveryCount });
    const delivered = keepDeliveryLeased(delivery, {
      everyMs: deps.extendLeaseEveryMs,
      signal: deps.signal,
      logger: log,
    });
    let held: ReplicaLease | undefined;
    try {
      held = await takeAssemblyLease(deps, assetId, delivered.signal, log);
      await assembleOnce(deps, delivery, AbortSignal.any([delivered.signal, held.lost]), log);
    } finally {
      delivered.stop();
      await held?.release();
    }
  };
}

/** How often a delivery waiting for another's assembly asks for the lease again. */
const LEASE_RETRY_MS = 1000;

/**
 * The asset's assembly lease, waiting (the delivery kept leased meanwhile) while another delivery holds
 * it: the holder may still fail, and then this delivery is the one that assembles.
 */
async function takeAssemblyLease(
  deps: EncodeJobDeps,
  assetId: string,
  signal: AbortSignal,
  log: Logger,
): Promise<ReplicaLease> {
  const options = {
    key: `encoder:assembly:${assetId}`,
    holder: randomUUID(),
    // As long as the event's ack timeout: a dead holder's lease lapses when its event comes back.
    ttlMs: 4 * deps.extendLeaseEveryMs,
    logger: log,
  };
  for (let waited = false; ; waited = true) {
    signal.throwIfAborted();
    const lease = await takeReplicaLease(deps.leases, options);
    if (lease) return lease;
    if (!waited) log.info('another delivery is assembling the asset; waiting for it');
    await sleep(LEASE_RETRY_MS, undefined, { signal });
  }
}

async function assembleOnce(
  deps: EncodeJobDeps,
  delivery: DeliveryOf<'media.assembly.requested'>,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const { assetId, titleId } = delivery.event.data;
  const done = await finishedSummary<EventData<'media.encoded'>>(deps.blobs, assetId);
  if (done) {
    // The plan is removed last, after the announcement: while it is there, that may not have happened.
    if (!(await exists(deps.blobs, planKey(assetId)))) {
      log.info('asset assembled and announced already; nothing to do');
      return;
    }
    await deps.bus.publish({ type: 'media.encoded', source: SOURCE, subject: assetId, data: done });
    await removeChunkedEncode(deps.blobs, assetId, 'last');
    log.info('asset stored by an assembly that stopped before its cleanup; announced again');
    return;
  }
  const stored = await settled(deps, assetId);
  if (stored === 'settled') return;
  const jobDir = join(deps.scratchDir, eventId('assembly', assetId));
  try {
    await rm(jobDir, { recursive: true, force: true });
    const summary = await assemble(deps, stored, assetId, titleId, jobDir, signal);
    signal.throwIfAborted();
    await clearAsset(deps.blobs, assetId);
    await uploadAsset(deps.blobs, assetId, join(jobDir, 'out'), summary.files, summary.event);
    await deps.bus.publish({ type: 'media.encoded', source: SOURCE, subject: assetId, data: summary.event });
    log.info(
      { chunks: stored.chunks.length, renditions: summary.event.renditions.length },
      'chunks assembled; encoded',
    );
    await removeChunkedEncode(deps.blobs, assetId, 'last');
  } catch (err) {
    const final =
      err instanceof MediaRejectedError || (delivery.deliveryCount >= deps.maxDeliveries && !signal.aborted);
    if (final) {
      // Nothing of a failed asset is kept but its reason (in media.encoding.failed).
      await clearAsset(deps.blobs, assetId);
      const message = err instanceof Error ? err.message : String(err);
      await failAsset(
        deps,
        assetId,
        titleId,
        err instanceof MediaRejectedError
          ? err.reason
          : `Assembling the chunks failed ${delivery.deliveryCount} times; the last error: ${message}`,
      );
      if (err instanceof MediaRejectedError) return;
    }
    throw err;
  } finally {
    await rm(jobDir, { recursive: true, force: true });
  }
}

/** Joins the chunks and the title outputs in `<jobDir>/out` and finishes them: the asset to upload. */
async function assemble(
  deps: EncodeJobDeps,
  stored: ChunkedPlan,
  assetId: string,
  titleId: string,
  jobDir: string,
  signal: AbortSignal,
): Promise<{ files: string[]; event: EventData<'media.encoded'> }> {
  const workDir = join(jobDir, 'out');
  await mkdir(workDir, { recursive: true });
  const job = storedPrepared(stored, join(jobDir, 'source'));
  const { plan } = job;
  const variants = videoOutputs(plan).length;
  await joinChunks(deps.blobs, assetId, stored.chunks, workDir, variants);
  await placeTitleOutputs(deps.blobs, assetId, workDir, jobDir, variants, plan.audio.length);
  await mkdir(join(workDir, TRICKPLAY_DIR));
  const smallest = join(workDir, hlsVariantDir(plan.rungs.length - 1), MEDIA_PLAYLIST);
  await runFfmpeg(
    deps.tools,
    buildTrickplayArgs(plan, smallest, TRICKPLAY_PATTERN),
    workDir,
    'Trickplay',
    plan.source.durationSeconds,
    { limits: stored.encodeLimits, signal },
  );
  const sidecars = await downloadSidecars(deps.blobs, titleId, join(jobDir, 'sidecars'));
  job.sidecars = await readSidecars(sidecars);
  const contentKey = deps.contentKeys ? newContentKey() : undefined;
  const asset = await completeEncode(deps.tools, workDir, job, settingsOf(deps), {
    signal,
    ...(contentKey ? { contentKey } : {}),
  });
  const event = encodedEvent(assetId, titleId, asset, contentKey && deps.contentKeys?.wrap(contentKey));
  contentKey?.fill(0);
  return { files: asset.files, event };
}

/**
 * Writes each video variant `stream_<v>/` as one piece: chunk 0's init segment (every chunk's must
 * describe the same samples), every chunk's segments with their decode times moved to follow the
 * chunk before, and the chunks' playlists joined.
 */
async function joinChunks(
  blobs: BlobStore,
  assetId: string,
  chunks: readonly Chunk[],
  workDir: string,
  variants: number,
): Promise<void> {
  const chunkDirs: string[] = [];
  for (const chunk of chunks) {
    const dir = join(workDir, '.chunks', String(chunk.index));
    await downloadPrefix(blobs, chunkPrefix(assetId, chunk.index), dir);
    chunkDirs.push(dir);
  }
  for (let v = 0; v < variants; v += 1) {
    const variant = hlsVariantDir(v);
    const outDir = join(workDir, variant);
    await mkdir(outDir);
    // ffmpeg names a variant's init segment itself (init_<v>.mp4); its playlist's EXT-X-MAP says so.
    const initName = await initSegmentName(join(chunkDirs[0]!, variant));
    const init = await readFile(join(chunkDirs[0]!, variant, initName));
    const description = sampleDescription(init);
    await writeFile(join(outDir, initName), init);
    const playlists: string[] = [];
    let end = 0n;
    for (const [i, chunk] of chunks.entries()) {
      const dir = join(chunkDirs[i]!, variant);
      if (!sampleDescription(await readFile(join(dir, await initSegmentName(dir)))).equals(description))
        throw new Error(`chunk ${chunk.index}'s ${variant} init segment differs from chunk 0's`);
      const segments = (await readdir(dir)).filter((f) => f.endsWith('.m4s')).sort();
      const offset = end;
      for (const name of segments) {
        const segment = await readFile(join(dir, name));
        end = retimeSegment(segment, offset, chunk.firstSegment);
        await writeFile(join(outDir, name), segment);
      }
      playlists.push(await readFile(join(dir, MEDIA_PLAYLIST), 'utf8'));
    }
    await writeFile(join(outDir, MEDIA_PLAYLIST), joinMediaPlaylists(playlists));
  }
  await rm(join(workDir, '.chunks'), { recursive: true, force: true });
}

async function initSegmentName(dir: string): Promise<string> {
  const name = (await readdir(dir)).find((f) => /^init.*\.mp4$/.test(f));
  if (!name) throw new Error(`no init segment in ${dir}`);
  return name;
}

/** The title job's audio (renumbered after the video variants), poster and extracted subtitles. */
async function placeTitleOutputs(
  blobs: BlobStore,
  assetId: string,
  workDir: string,
  jobDir: string,
  videoVariants: number,
  audioVariants: number,
): Promise<void> {
  const dir = join(jobDir, 'title');
  const names = await downloadPrefix(blobs, titlePrefix(assetId), dir);
  for (let j = 0; j < audioVariants; j += 1)
    await rename(join(dir, hlsVariantDir(j)), join(workDir, hlsVariantDir(videoVariants + j)));
  await rename(join(dir, 'poster.jpg'), join(workDir, 'poster.jpg'));
  for (const name of names.filter((n) => n.startsWith('subs_'))) {
    await mkdir(join(workDir, name, '..'), { recursive: true });
    await rename(join(dir, name), join(workDir, name));
  }
}
