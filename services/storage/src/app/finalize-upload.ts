import type { Readable } from 'node:stream';
import type { Logger } from '@marquee/core';
import { enqueue, type BlobStore, type Database } from '@marquee/platform';
import type { StorageTables } from '../store/tables.js';
import type { UploadRow, UploadStore } from '../store/uploads.js';
import { blobKeyFor, parseUploadMetadata } from './upload-metadata.js';

export interface FinalizeDeps {
  db: Database<StorageTables>;
  uploads: UploadStore;
  blobs: BlobStore;
  logger: Logger;
  /** Reads the finished upload's bytes from the tus staging store. */
  readStaged(uploadId: string): Promise<Readable>;
  removeStaged(uploadId: string): Promise<void>;
  /** Kicks the outbox relay so media.uploaded leaves now rather than at the next poll. */
  flushOutbox(): void;
}

/** Decides whether this finisher may remove the staging once the upload is recorded. */
export interface StagingGuard {
  /** False when another finisher may be reading the staging (this one lost, or never had, the lease). */
  mayRemoveStaging(): Promise<boolean>;
}

/** Where an upload is kept in the blob store, from its row (whose metadata was checked at creation). */
export function blobKeyOfUpload(row: UploadRow): string {
  const meta = parseUploadMetadata({ titleId: row.title_id, filename: row.filename, language: row.language });
  if (typeof meta === 'string') throw new Error(`upload ${row.upload_id} has invalid metadata: ${meta}`);
  return blobKeyFor(meta, row.asset_id, row.upload_id);
}

/**
 * Moves a finished upload from tus staging into the blob store (which hashes it), then records it and
 * enqueues `media.uploaded` in one transaction. Safe to run again for the same upload after a crash at
 * any point: the blob put is an atomic overwrite and the row update (and with it the event) only
 * applies while 'receiving'.
 * Staging is removed only after the commit, so an accepted upload is never lost, and only when `guard`
 * allows it (a staging left behind is swept by the lifecycle job). Returns true when this call moved
 * the row to 'stored'.
 */
export async function finalizeUpload(
  deps: FinalizeDeps,
  row: UploadRow,
  blobKey: string,
  guard: StagingGuard = { mayRemoveStaging: async () => true },
): Promise<boolean> {
  const info = await deps.blobs.put(blobKey, await deps.readStaged(row.upload_id), {
    contentType: row.kind === 'subtitle' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
  });
  const stored = await deps.db.transaction(async (trx) => {
    const moved = await deps.uploads.markStored(
      trx,
      row.upload_id,
      blobKey,
      info.sha256,
      info.size,
      new Date(),
    );
    // Two finishers of one upload (a replica's reconcile meeting the request that finished it) store
    // the same bytes, but only the one that moved the row announces it: the encoder encodes it once.
    if (moved && row.kind === 'source') {
      await enqueue(trx, [
        {
          type: 'media.uploaded',
          source: 'storage',
          subject: row.asset_id,
          data: {
            assetId: row.asset_id,
            titleId: row.title_id,
            key: blobKey,
            filename: row.filename,
            size: info.size,
            sha256: info.sha256,
          },
        },
      ]);
    }
    // A subtitle for a title that may be ready already: the encoder adds it to the playable asset.
    if (moved && row.kind === 'subtitle') {
      await enqueue(trx, [
        {
          type: 'media.subtitle.uploaded',
          source: 'storage',
          subject: row.title_id,
          data: {
            titleId: row.title_id,
            key: blobKey,
            filename: row.filename,
            language: row.language ?? 'und',
          },
        },
      ]);
    }
    return moved;
  });
  deps.flushOutbox();
  if (await guard.mayRemoveStaging())
    await deps
      .removeStaged(row.upload_id)
      .catch((err: unknown) => deps.logger.warn({ err, uploadId: row.upload_id }, 'staging cleanup failed'));
  else
    deps.logger.warn(
      { uploadId: row.upload_id },
      'staging kept for the lifecycle sweep: the upload lease was lost',
    );
  deps.logger.info(
    { uploadId: row.upload_id, assetId: row.asset_id, key: blobKey, size: info.size, announced: stored },
    'upload stored',
  );
  return stored;
}
