import { NotFoundError } from '@marquee/core';
import type { BlobInfo, BlobStore } from '@marquee/platform';
import type { BlobEntryShape } from './manifest.js';
import { targetKeys } from '@marquee/platform';

/** Objects copied at once: enough to hide an S3 round trip, few enough for a laptop's disk. */
const PARALLEL = 4;

export interface BlobCopyResult {
  entries: BlobEntryShape[];
  copied: number;
  alreadyThere: number;
  bytesCopied: number;
  /** Objects whose bytes do not hash to the SHA-256 recorded when they were written. */
  corrupt: string[];
}

/** Runs `work` over `items` with at most `parallel` at a time, in order of start. */
export async function forEachParallel<T>(
  items: AsyncIterable<T> | Iterable<T>,
  parallel: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: Error | undefined;
  for await (const item of items) {
    if (failure !== undefined) break;
    const task: Promise<void> = work(item).then(
      () => void running.delete(task),
      (error: unknown) => {
        running.delete(task);
        failure ??= error instanceof Error ? error : new Error(String(error));
      },
    );
    running.add(task);
    if (running.size >= parallel) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
}

class CorruptSourceError extends Error {}

/**
 * Copies every object of `source` into the target by content: an object whose SHA-256 is already
 * there is not copied again. The hash the target computes while writing must equal the hash the
 * source recorded, so a backup never stores a corrupt copy as a good one.
 */
export async function backupBlobs(
  source: BlobStore,
  target: BlobStore,
  signal?: AbortSignal,
): Promise<BlobCopyResult> {
  const result: BlobCopyResult = { entries: [], copied: 0, alreadyThere: 0, bytesCopied: 0, corrupt: [] };
  // Content being copied by this run: a second key with the same bytes waits for it instead.
  const copying = new Map<string, Promise<boolean>>();
  const copy = async (info: BlobInfo): Promise<boolean> => {
    const contentKey = targetKeys.content(info.sha256);
    if ((await target.head(contentKey))?.sha256 === info.sha256) return false;
    const read = await source.get(info.key);
    const stored = await target.put(contentKey, read.body, { contentType: 'application/octet-stream' });
    if (stored.sha256 !== info.sha256) {
      await target.delete(contentKey);
      throw new CorruptSourceError(`${info.key}: recorded ${info.sha256}, read ${stored.sha256}`);
    }
    result.copied += 1;
    result.bytesCopied += stored.size;
    return true;
  };
  await forEachParallel(source.list(''), PARALLEL, async (info: BlobInfo) => {
    signal?.throwIfAborted();
    let pending = copying.get(info.sha256);
    const mine = pending === undefined;
    if (!pending) {
      pending = copy(info);
      copying.set(info.sha256, pending);
    }
    try {
      const copied = await pending;
      if (!mine || !copied) result.alreadyThere += 1;
    } catch (error) {
      if (error instanceof NotFoundError && mine) return; // deleted since it was listed: not in this backup
      if (error instanceof CorruptSourceError) {
        if (mine) result.corrupt.push(error.message);
        else await pushIfCopyableElsewhere(info);
        return;
      }
      throw error;
    }
    result.entries.push({
      key: info.key,
      size: info.size,
      sha256: info.sha256,
      contentType: info.contentType,
    });
  });
  async function pushIfCopyableElsewhere(info: BlobInfo): Promise<void> {
    // Another key with the same recorded hash was corrupt; this one may be intact: try it on its own.
    try {
      await copy(info);
      result.entries.push({
        key: info.key,
        size: info.size,
        sha256: info.sha256,
        contentType: info.contentType,
      });
    } catch (error) {
      if (error instanceof CorruptSourceError) result.corrupt.push(error.message);
      else if (!(error instanceof NotFoundError)) throw error;
    }
  }
  result.entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return result;
}

/**
 * Writes each listed object back into `destination` from the target's content store, checking that
 * what was written hashes to the SHA-256 the manifest recorded. Returns the objects that did not.
 */
export async function restoreBlobs(
  entries: readonly BlobEntryShape[],
  target: BlobStore,
  destination: BlobStore,
  onProgress?: (done: number) => void,
): Promise<string[]> {
  const mismatches: string[] = [];
  let done = 0;
  await forEachParallel(entries, PARALLEL, async (entry) => {
    let read;
    try {
      read = await target.get(targetKeys.content(entry.sha256));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      mismatches.push(`${entry.key}: content ${entry.sha256} is missing from the backup target`);
      return;
    }
    const written = await destination.put(entry.key, read.body, { contentType: entry.contentType });
    if (written.sha256 !== entry.sha256) {
      await destination.delete(entry.key);
      mismatches.push(`${entry.key}: expected ${entry.sha256}, the backup holds ${written.sha256}`);
    }
    done += 1;
    onProgress?.(done);
  });
  return mismatches;
}
