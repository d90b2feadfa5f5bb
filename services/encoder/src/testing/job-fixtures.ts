import { join } from 'node:path';
import { createLogger, type Logger } from '@marquee/core';
import {
  openBlobStore,
  openEventBus,
  readWholeBlob,
  type BlobStore,
  type EventBus,
  type EventData,
} from '@marquee/platform';
import { uniqueName } from '@marquee/platform/testing';
import type { MediaTools } from '../media/media-tools.js';
import { tempDir, testMediaTools } from './media-fixtures.js';

/** What the encoder's job tests run against: real media tools, an event log and a blob store in a temp dir. */
export interface JobRig {
  tools: MediaTools;
  dir: { path: string; remove: () => Promise<void> };
  bus: EventBus;
  blobs: BlobStore;
  logger: Logger;
  close(): Promise<void>;
}

export async function openJobRig(name: string): Promise<JobRig> {
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const tools = await testMediaTools();
  const dir = await tempDir(name);
  const bus = await openEventBus({ sqlitePath: join(dir.path, 'events.sqlite'), logger });
  const blobs = await openBlobStore({ root: join(dir.path, 'blobs') });
  return {
    tools,
    dir,
    bus,
    blobs,
    logger,
    async close() {
      await bus.close();
      await blobs.close();
      await dir.remove();
    },
  };
}

/** Polls `find` until it answers something; encodes take tens of seconds on a loaded machine. */
export async function waitFor<T>(
  find: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const blobText = async (blobs: BlobStore, key: string): Promise<string> =>
  (await readWholeBlob(blobs, key)).toString('utf8');

/** Stores `bytes` as an upload and announces it, as the storage service does; answers the asset id. */
export async function announceUpload(
  rig: Pick<JobRig, 'bus' | 'blobs'>,
  bytes: Buffer | string,
  options: { titleId: string; sha?: string },
): Promise<string> {
  const assetId = uniqueName('a');
  const key = `sources/${assetId}/source.mp4`;
  const info = await rig.blobs.put(key, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  await rig.bus.publish({
    type: 'media.uploaded',
    source: 'storage',
    subject: assetId,
    data: {
      assetId,
      titleId: options.titleId,
      key,
      filename: 'film.mp4',
      size: info.size,
      sha256: options.sha ?? info.sha256,
    } satisfies EventData<'media.uploaded'>,
  });
  return assetId;
}
