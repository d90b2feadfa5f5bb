import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createServiceServer,
  requireAdmin,
  requireServiceToken,
  SERVICE_TOKEN_HEADER,
  ServiceClient,
  serviceToken,
  settingsOf,
  type ServiceModule,
} from '@marquee/core';
import { createContentKeyring } from '@marquee/core/content-keys';
import { platformProblems, type ServiceContext, type Subscription } from '@marquee/platform';
import { startSubtitleAdder } from './jobs/add-subtitle.js';
import { parseEncoderCodecs } from './app/codecs/index.js';
import { DEFAULT_ENCODER_SETTINGS } from './app/encode-asset.js';
import { buildEncodeWorker, ENCODER_GROUP } from './jobs/encode-worker.js';
import { openMediaTools } from './media/media-tools.js';
import { encoderProblems } from './app/problems.js';
import { encoderSettings } from './settings.js';

/**
 * The encoder service: the `media.uploaded` worker plus a small HTTP face (health, metrics and the
 * admin queue view). Start-up fails with instructions when no usable ffmpeg exists, rather than
 * accepting jobs it cannot do.
 */
export async function buildEncoder(ctx: ServiceContext): Promise<ServiceModule> {
  const { settings, logger } = ctx;
  const encoding = settingsOf(encoderSettings, settings);
  const codecs = parseEncoderCodecs(encoding.ENCODER_CODECS);
  const tools = await openMediaTools({
    codecs,
    ...(settings.FFMPEG_PATH ? { ffmpegPath: settings.FFMPEG_PATH } : {}),
    ...(settings.FFPROBE_PATH ? { ffprobePath: settings.FFPROBE_PATH } : {}),
    searchPath: settings.PATH,
    warn: (message) => logger.warn(message),
  });
  const scratchRoot = join(ctx.dataDir, 'encoder');
  await removeDeadWorkersScratch(scratchRoot);
  const worker = buildEncodeWorker({
    bus: ctx.bus,
    blobs: ctx.blobs,
    // Shared by every replica (Redis in a cluster): a chunked asset is assembled once at a time.
    leases: ctx.cache.leases,
    tools,
    logger,
    scratchDir: join(scratchRoot, String(process.pid)),
    concurrency: encoding.ENCODER_CONCURRENCY,
    settings: {
      ...DEFAULT_ENCODER_SETTINGS,
      codecs,
      av1Preset: String(encoding.ENCODER_AV1_PRESET),
      ladder: encoding.ENCODER_LADDER,
      chunkSeconds: encoding.ENCODER_CHUNK_SECONDS,
      ...(encoding.ENCODER_LOUDNESS
        ? {
            loudness: {
              targetLufs: encoding.ENCODER_LOUDNESS_TARGET_LUFS,
              truePeakDbtp: encoding.ENCODER_LOUDNESS_TRUE_PEAK_DBTP,
              lraLu: encoding.ENCODER_LOUDNESS_LRA,
            },
          }
        : { loudness: undefined }),
    },
    ...(settings.MEDIA_ENCRYPTION
      ? {
          contentKeys: createContentKeyring({
            secret: ctx.secret,
            ...(settings.MEDIA_MASTER_KEYS ? { masterKeys: settings.MEDIA_MASTER_KEYS } : {}),
          }),
        }
      : {}),
  });
  const { app, addReadiness } = createServiceServer({
    name: 'encoder',
    problems: [platformProblems, encoderProblems],
    logger,
  });
  requireServiceToken(app, ctx.secret);
  addReadiness('worker', () => worker.readiness());

  app.get('/api/admin/queue', async (req) => {
    requireAdmin(req);
    const [pending, deadLetters] = await Promise.all([
      ctx.bus.lag(ENCODER_GROUP),
      ctx.bus.deadLetters(ENCODER_GROUP),
    ]);
    return {
      group: ENCODER_GROUP,
      pending,
      concurrencyPerWorker: encoding.ENCODER_CONCURRENCY,
      ffmpeg: { version: tools.binaries.version, source: tools.binaries.source },
      codecs,
      deadLetters: deadLetters.length,
      recentFailures: deadLetters.slice(-10).map((d) => ({
        assetId: assetIdOf(d.event.data),
        deliveries: d.deliveries,
        reason: d.reason,
      })),
    };
  });

  // Subtitles uploaded for a title that is ready already become a new asset (jobs/add-subtitle.ts).
  const streaming = new ServiceClient({
    service: 'streaming',
    baseUrls: ctx.urls.streaming,
    headers: { [SERVICE_TOKEN_HEADER]: serviceToken(ctx.secret) },
  });
  let subtitles: Subscription | undefined;

  return {
    name: 'encoder',
    app,
    async start() {
      await worker.start();
      subtitles = await startSubtitleAdder({ bus: ctx.bus, blobs: ctx.blobs, streaming, logger });
    },
    async stop() {
      await subtitles?.stop();
      await worker.stop();
      await streaming.close();
    },
  };
}

/**
 * Job files live under <dataDir>/encoder/<pid> so that several encoder processes can share one data dir;
 * the folders of processes that no longer exist are leftovers of killed jobs (which are redelivered).
 */
async function removeDeadWorkersScratch(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await rm(join(root, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A dead letter may be there because its data is malformed: read its asset id without trusting it. */
function assetIdOf(data: unknown): string | null {
  return typeof data === 'object' && data !== null && 'assetId' in data && typeof data.assetId === 'string'
    ? data.assetId
    : null;
}
