import type { Readable } from 'node:stream';
import type { Logger } from '@marquee/core';
import { enqueue, type BlobStore, type Database } from '@marquee/platform';
import type { StorageTables } from '../store/tables.js';
import type { UploadRow, UploadStore } from '../store/uploads.js';

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

/**
 * Moves a finished upload from tus staging into the blob store (which hashes it), then records it and
 * enqueues `media.uploaded` in one transaction. Safe to run again for the same upload after a crash at
 * any point: the blob put is an atomic overwrite and the row update (and with it the event) only
 * applies while 'receiving'.
 * Staging is removed only after the commit, so an accepted upload is never lost.
 */
export async function finalizeUpload(deps: FinalizeDeps, row: UploadRow, blobKey: string): Promise<void> {
  const info = await deps.blobs.put(blobKey, await deps.readStaged(row.upload_id), {
    contentType: row.kind === 'subtitle' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
  });
  await deps.db.transaction(async (trx) => {
    const stored = await deps.uploads.markStored(
      trx,
      row.upload_id,
      blobKey,
      info.sha256,
      info.size,
      new Date(),
    );
    // Two finishers of one upload (a replica's reconcile meeting the request that finished it) store
    // the same bytes, but only the one that moved the row announces it: the encoder encodes it once.
    if (stored && row.kind === 'source') {
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
  });
  deps.flushOutbox();
  await deps
    .removeStaged(row.upload_id)
    .catch((err: unknown) => deps.logger.warn({ err, uploadId: row.upload_id }, 'staging cleanup failed'));
  deps.logger.info(
    { uploadId: row.upload_id, assetId: row.asset_id, key: blobKey, size: info.size },
    'upload stored',
  );
}
