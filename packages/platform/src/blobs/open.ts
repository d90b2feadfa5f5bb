import type { BlobStore } from './port.js';
import { openFilesystemBlobStore } from './filesystem.js';
import { openS3BlobStore, type S3BlobOptions } from './s3.js';

export type BlobStoreOptions = { root: string; staleTempMs?: number } | { s3: S3BlobOptions };

/**
 * Opens the blob store the configuration names: a folder on the local filesystem (monolithic mode) or
 * an S3-compatible bucket (microservices mode).
 *
 * @example
 *   const blobs = await openBlobStore({ root: join(dataDir, 'blobs') });
 *   const blobs = await openBlobStore({ s3: { endpoint, region, bucket, accessKeyId, secretAccessKey, forcePathStyle: true } });
 */
export function openBlobStore(options: BlobStoreOptions): Promise<BlobStore> {
  return 's3' in options ? openS3BlobStore(options.s3) : openFilesystemBlobStore(options);
}
