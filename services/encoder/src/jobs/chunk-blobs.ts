import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '@marquee/core';
import { readWholeBlob, type BlobStore } from '@marquee/platform';
import type { Chunk, StoredPlan } from '../app/chunks.js';
import { outputContentType } from '../app/content-types.js';
import type { LoudnessReading } from '../app/loudness.js';
import type { SubtitleTrack } from '../app/probe.js';

/**
 * Blob layout of a chunked encode in progress (issue 16 §1): everything under `encodes/<assetId>/`,
 * outside the asset's own prefix (edges never serve it), so chunk outputs survive the worker that
 * wrote them and any replica can assemble them. Removed once the asset is stored or has failed
 * (removeChunkedEncode); the failure's reason lives on in `media.encoding.failed`.
 *
 *   plan.json                      what every chunk and the assembler need (ChunkedPlan); while it is
 *                                  there the encode is in progress, or stored but not yet announced
 *   chunks/<i>/stream_<v>/…        chunk i's ladder (init.mp4, seg_NNNNN.m4s, index.m3u8)
 *   chunks/<i>/done.json           written last: chunk i is complete
 *   title/…, title/done.json       the whole title's audio (stream_<j>/), poster, extracted subtitles
 */
export const encodesPrefix = (assetId: string): string => `encodes/${assetId}/`;
export const planKey = (assetId: string): string => `${encodesPrefix(assetId)}plan.json`;
export const chunkPrefix = (assetId: string, index: number): string =>
  `${encodesPrefix(assetId)}chunks/${index}/`;
export const titlePrefix = (assetId: string): string => `${encodesPrefix(assetId)}title/`;
export const DONE_FILE = 'done.json';

export interface ChunkedPlan {
  /** The upload the plan was made from (a chunk job checks its copy against it). */
  source: { key: string; sha256: string };
  plan: StoredPlan;
  chunks: Chunk[];
  textSubtitles: SubtitleTrack[];
  sourceLoudness: (LoudnessReading | null)[];
  encodeLimits: { wallTimeMs: number; memoryBytes: number };
}

export async function readJson<T>(blobs: BlobStore, key: string): Promise<T | undefined> {
  try {
    return JSON.parse((await readWholeBlob(blobs, key)).toString('utf8')) as T;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

export const putJson = (blobs: BlobStore, key: string, value: unknown) =>
  blobs.put(key, JSON.stringify(value), { contentType: 'application/json' });

export async function exists(blobs: BlobStore, key: string): Promise<boolean> {
  return Boolean(await blobs.head(key));
}

/** Uploads every file under `dir` to `prefix`, a few at a time. */
export async function uploadDir(blobs: BlobStore, dir: string, prefix: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
    );
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      await blobs.put(`${prefix}${file}`, createReadStream(join(dir, file)), {
        contentType: outputContentType(file),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
}

/** Downloads every blob under `prefix` into `dir` (keeping the relative paths); answers them. */
export async function downloadPrefix(blobs: BlobStore, prefix: string, dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const info of blobs.list(prefix)) names.push(info.key.slice(prefix.length));
  for (const name of names) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    const { body } = await blobs.get(`${prefix}${name}`);
    await pipeline(body, createWriteStream(path));
  }
  return names;
}

export async function removePrefix(blobs: BlobStore, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const info of blobs.list(prefix)) keys.push(info.key);
  for (const key of keys) await blobs.delete(key);
}

/**
 * Removes everything of a chunked encode under `encodes/<asset>/`. `plan: 'first'` (a failure) takes the
 * plan away before the rest, so chunk jobs still running see at once that there is nothing to finish;
 * `'last'` (after the asset was announced) keeps it to the end, so an assembler stopped half-way is
 * redelivered into announcing and removing again instead of finding nothing to do.
 */
export async function removeChunkedEncode(
  blobs: BlobStore,
  assetId: string,
  plan: 'first' | 'last',
): Promise<void> {
  if (plan === 'first') await blobs.delete(planKey(assetId));
  const keys: string[] = [];
  for await (const info of blobs.list(encodesPrefix(assetId)))
    if (info.key !== planKey(assetId)) keys.push(info.key);
  for (const key of keys) await blobs.delete(key);
  if (plan === 'last') await blobs.delete(planKey(assetId));
}
