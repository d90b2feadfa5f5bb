import { mkdir, rm } from 'node:fs/promises';
import type { Logger } from '@marquee/core';
import type { ContentKeyring } from '@marquee/core/content-keys';
import { openCache, type BlobStore, type EventBus, type Leases, type Subscription } from '@marquee/platform';
import type { EncoderSettings } from '../app/encode-asset.js';
import type { MediaTools } from '../media/media-tools.js';
import { assemblyHandler } from './chunk-assembly.js';
import { chunkHandler } from './chunked-encode.js';
import { encodeUploadedHandler } from './encode-uploaded.js';

export interface EncodeWorkerDeps {
  bus: EventBus;
  blobs: BlobStore;
  /** From openMediaTools at start-up (which fails with instructions when no usable ffmpeg exists). */
  tools: MediaTools;
  logger: Logger;
  /** A directory this worker owns for job files (e.g. `<dataDir>/encoder`); emptied at start. */
  scratchDir: string;
  /** Jobs at once (ENCODER_CONCURRENCY; default 1: one job already uses both cores of a small box). */
  concurrency?: number;
  settings?: EncoderSettings;
  /** Encrypts new assets with a fresh content key wrapped by this keyring (MEDIA_ENCRYPTION); none: clear. */
  contentKeys?: ContentKeyring;
  /**
   * The events lease of a job (default 60 s): a running job extends it every quarter of this, however
   * long the encode takes, so a killed worker's job is offered to another worker within this long.
   */
  ackTimeoutMs?: number;
  /** Attempts before the event is dead-lettered and the asset reported failed (default 3). */
  maxDeliveries?: number;
  /**
   * The platform cache's leases (`ctx.cache.leases`), which every encoder replica must share: a chunked
   * asset is assembled by one delivery at a time. Default: leases of this process only.
   */
  leases?: Leases;
}

export interface EncodeWorker {
  start(): Promise<void>;
  /** Stops taking jobs, kills running encodes (their events are redelivered) and waits for them. */
  stop(): Promise<void>;
  /** For /readyz: true while consuming, else why not. */
  readiness(): boolean | string;
}

export const ENCODER_GROUP = 'encoder';

let inProcess: Promise<Leases> | undefined;
/** Leases every worker of this process shares when given none (one encoder process, tests). */
const processLeases = (): Promise<Leases> => (inProcess ??= openCache().then((c) => c.leases));
/** The jobs group `encoder` takes: whole uploads, and a chunked encode's chunks and assembly. */
export const ENCODER_JOB_TYPES = [
  'media.uploaded',
  'media.chunk.requested',
  'media.assembly.requested',
] as const;
export const DEFAULT_ACK_TIMEOUT_MS = 60_000;

/**
 * The encoding "lambda": a durable consumer of `media.uploaded` in group `encoder`. Holds no ffmpeg
 * process while there is no work; scale it out by running more of them (each takes `concurrency` jobs).
 *
 * @example
 *   const tools = await openMediaTools({ ffmpegPath: s.FFMPEG_PATH, ffprobePath: s.FFPROBE_PATH, searchPath: s.PATH, warn });
 *   const worker = buildEncodeWorker({ bus, blobs, tools, logger, scratchDir: join(dataDir, 'encoder'), concurrency: s.ENCODER_CONCURRENCY });
 *   await worker.start();
 */
export function buildEncodeWorker(deps: EncodeWorkerDeps): EncodeWorker {
  const maxDeliveries = deps.maxDeliveries ?? 3;
  const ackTimeoutMs = deps.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  let subscription: Subscription | undefined;
  let controller = new AbortController();
  let state: 'idle' | 'consuming' | 'stopped' = 'idle';
  return {
    async start() {
      if (state === 'consuming') return;
      controller = new AbortController();
      // Leftovers of jobs killed with the previous process: their events will be redelivered anyway.
      await rm(deps.scratchDir, { recursive: true, force: true });
      await mkdir(deps.scratchDir, { recursive: true });
      const jobDeps = {
        leases: deps.leases ?? (await processLeases()),
        bus: deps.bus,
        blobs: deps.blobs,
        tools: deps.tools,
        logger: deps.logger,
        scratchDir: deps.scratchDir,
        maxDeliveries,
        signal: controller.signal,
        // Three extensions may go astray (a slow disk, a busy bus) before the lease runs out.
        extendLeaseEveryMs: Math.max(1, Math.floor(ackTimeoutMs / 4)),
        ...(deps.settings ? { settings: deps.settings } : {}),
        ...(deps.contentKeys ? { contentKeys: deps.contentKeys } : {}),
      };
      const uploaded = encodeUploadedHandler(jobDeps);
      const chunk = chunkHandler(jobDeps);
      const assembly = assemblyHandler(jobDeps);
      // One group for whole titles and for chunked ones' jobs: any replica takes any of them.
      subscription = await deps.bus.subscribe({
        group: ENCODER_GROUP,
        types: ENCODER_JOB_TYPES,
        concurrency: deps.concurrency ?? 1,
        ackTimeoutMs,
        maxDeliveries,
        handler: (delivery) => {
          switch (delivery.event.type) {
            case 'media.uploaded':
              return uploaded({ ...delivery, event: delivery.event });
            case 'media.chunk.requested':
              return chunk({ ...delivery, event: delivery.event });
            case 'media.assembly.requested':
              return assembly({ ...delivery, event: delivery.event });
          }
        },
      });
      state = 'consuming';
      deps.logger.info(
        {
          ffmpeg: deps.tools.binaries.version,
          source: deps.tools.binaries.source,
          memoryLimit: deps.tools.runner.memoryLimit,
        },
        'encoder consuming media.uploaded and chunk jobs',
      );
    },
    async stop() {
      if (state !== 'consuming') return;
      state = 'stopped';
      controller.abort();
      await subscription?.stop();
      subscription = undefined;
    },
    readiness() {
      return state === 'consuming' ? true : `encoder worker is ${state}`;
    },
  };
}
