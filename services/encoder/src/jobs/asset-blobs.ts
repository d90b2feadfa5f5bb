import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ASSET_SUMMARY_FILE } from '@marquee/contracts/asset-summary';
import { NotFoundError } from '@marquee/core';
import { readWholeBlob, type BlobStore } from '@marquee/platform';
import { outputContentType } from '../app/content-types.js';
import { MediaRejectedError, MediaToolError } from '../app/errors.js';
import { listPlaylistFiles } from '../app/playlist-files.js';
import type { Sidecar } from '../app/subtitle-outputs.js';

/** Blob layout of an encoded asset: everything under `assets/<assetId>/`, the master playlist last. */
export const assetPrefix = (assetId: string): string => `assets/${assetId}/`;
export const MASTER_KEY = 'master.m3u8';
/** What `media.encoded` said, kept beside the outputs so a redelivered job can say it again. */
export const SUMMARY_KEY = ASSET_SUMMARY_FILE;

/**
 * Copies the uploaded source into the job directory, checking its SHA-256 against the one storage
 * announced (a mismatch is a storage fault, so retryable). A source that is gone is final.
 */
export async function downloadSource(
  blobs: BlobStore,
  key: string,
  expectedSha256: string,
  path: string,
): Promise<void> {
  let body;
  try {
    ({ body } = await blobs.get(key));
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new MediaRejectedError('The uploaded source is no longer stored; upload it again.');
    }
    throw err;
  }
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(body, hashing, createWriteStream(path, { flags: 'wx' }));
  const actual = hash.digest('hex');
  if (actual !== expectedSha256) {
    throw new MediaToolError(`source ${key} has SHA-256 ${actual}, storage announced ${expectedSha256}`);
  }
}

/**
 * Subtitle sidecars the operator uploaded for the title. Storage keeps them at
 * `sidecars/<titleId>/<language>-<uploadId>.<srt|vtt>` (services/storage/src/app/upload-metadata.ts);
 * tus upload ids contain no '-', so the language is everything before the last '-'.
 */
export async function downloadSidecars(blobs: BlobStore, titleId: string, dir: string): Promise<Sidecar[]> {
  const sidecars: Sidecar[] = [];
  for await (const info of blobs.list(`sidecars/${titleId}/`)) {
    const name = info.key.slice(info.key.lastIndexOf('/') + 1);
    const match = /^(.+)-[^-]+\.(srt|vtt)$/i.exec(name);
    if (!match) continue;
    const language = match[1]!.toLowerCase();
    const fileName = `sidecar-${sidecars.length}.${match[2]!.toLowerCase()}`;
    await mkdir(dir, { recursive: true });
    const path = join(dir, fileName);
    const { body } = await blobs.get(info.key);
    await pipeline(body, createWriteStream(path, { flags: 'wx' }));
    sidecars.push({ path, fileName, ...(language !== 'und' ? { language } : {}) });
  }
  return sidecars;
}

/** Removes whatever an interrupted earlier attempt left under the asset's prefix. */
export async function clearAsset(blobs: BlobStore, assetId: string): Promise<void> {
  const keys: string[] = [];
  for await (const info of blobs.list(assetPrefix(assetId))) keys.push(info.key);
  for (const key of keys) await blobs.delete(key);
}

/**
 * Uploads the outputs (a few at a time), then the summary, then the master playlist: until that last
 * put the asset has no master, so nobody can play a half-uploaded ladder. The stored summary also
 * lists every playlist's files (@marquee/contracts/asset-summary), which edges index renditions by.
 */
export async function uploadAsset(
  blobs: BlobStore,
  assetId: string,
  workDir: string,
  files: readonly string[],
  summary: unknown,
): Promise<void> {
  const prefix = assetPrefix(assetId);
  const rest = files.filter((f) => f !== MASTER_KEY);
  const put = (file: string) =>
    blobs.put(`${prefix}${file}`, createReadStream(join(workDir, file)), {
      contentType: outputContentType(file),
    });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rest.length) await put(rest[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(4, rest.length) }, worker));
  const stored = { ...(summary as object), playlists: await listPlaylistFiles(workDir, MASTER_KEY) };
  await blobs.put(`${prefix}${SUMMARY_KEY}`, JSON.stringify(stored), { contentType: 'application/json' });
  await put(MASTER_KEY);
}

/**
 * The summary of a finished asset (master playlist present) as it was announced, or undefined. The
 * playlists' files stay in asset.json: thousands of names do not belong in an event.
 */
export async function finishedSummary<T>(blobs: BlobStore, assetId: string): Promise<T | undefined> {
  const prefix = assetPrefix(assetId);
  if (!(await blobs.head(`${prefix}${MASTER_KEY}`))) return undefined;
  try {
    const stored = JSON.parse((await readWholeBlob(blobs, `${prefix}${SUMMARY_KEY}`)).toString('utf8')) as {
      playlists?: unknown;
    };
    const { playlists: _playlists, ...announced } = stored;
    return announced as T;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}
