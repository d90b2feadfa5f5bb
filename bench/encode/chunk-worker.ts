/**
 * One encoder replica for `bench/encode --chunked`: the real encode worker (jobs/encode-worker.ts) on
 * the bench's shared event log (SQLite, several processes open it) and blob store, with
 * ENCODER_CHUNK_SECONDS. The bench starts it under `taskset -c <core>`, so it and its ffmpeg runs use
 * one core; SIGTERM stops it. ENCODER_ACK_TIMEOUT_MS shortens the job lease (the kill test: a killed
 * worker's chunk comes back within it). CACHE_URL (redis://…) is the cache whose leases the workers share,
 * as replicas share the platform cache: a chunked asset is then assembled by one worker at a time
 * (jobs/chunk-assembly.ts). Without it each worker has leases of its own process only.
 *
 *   node packages/cli/bin/run-ts.mjs bench/encode/chunk-worker.ts <events.db> <blob dir> <scratch dir> <chunk seconds>
 */
import { createLogger } from '@marquee/core';
import { DEFAULT_ENCODER_SETTINGS, buildEncodeWorker } from '@marquee/encoder';
import { testMediaTools } from '@marquee/encoder/testing';
import { openBlobStore, openCache, openEventBus } from '@marquee/platform';

const [eventsPath, blobRoot, scratchDir, chunkSeconds] = process.argv.slice(2);
if (!eventsPath || !blobRoot || !scratchDir || !chunkSeconds) {
  console.error('usage: chunk-worker.ts <events.db> <blob dir> <scratch dir> <chunk seconds>');
  process.exit(2);
}
const logger = createLogger({ level: 'info', name: `encoder-${process.pid}` });
// FFMPEG_PATH / FFPROBE_PATH choose the build, as for the bench itself (bench/encode/source.ts).
const tools = await testMediaTools({ warn: (m) => logger.warn(m) });
const bus = await openEventBus({ sqlitePath: eventsPath, logger });
const blobs = await openBlobStore({ root: blobRoot });
const cache = process.env.CACHE_URL
  ? await openCache({ url: process.env.CACHE_URL, prefix: `chunk-worker:${eventsPath}:` })
  : undefined;
const worker = buildEncodeWorker({
  bus,
  blobs,
  tools,
  logger,
  scratchDir,
  ...(cache ? { leases: cache.leases } : {}),
  settings: { ...DEFAULT_ENCODER_SETTINGS, chunkSeconds: Number(chunkSeconds) },
  ...(process.env.ENCODER_ACK_TIMEOUT_MS ? { ackTimeoutMs: Number(process.env.ENCODER_ACK_TIMEOUT_MS) } : {}),
});
await worker.start();
process.once('SIGTERM', () => {
  void (async () => {
    await worker.stop();
    await bus.close();
    await blobs.close();
    await cache?.close();
    process.exit(0);
  })();
});
