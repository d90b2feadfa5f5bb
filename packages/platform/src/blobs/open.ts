import { join } from 'node:path';
import type { Settings } from '@marquee/core';
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

/** The S3 options the settings name (S3_ENDPOINT, S3_REGION, keys, path style) for one bucket. */
export function s3OptionsFromSettings(
  settings: Pick<
    Settings,
    'S3_ENDPOINT' | 'S3_REGION' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_FORCE_PATH_STYLE'
  >,
  bucket: string,
): S3BlobOptions {
  return {
    endpoint: settings.S3_ENDPOINT,
    region: settings.S3_REGION,
    bucket,
    accessKeyId: settings.S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: settings.S3_SECRET_ACCESS_KEY ?? '',
    forcePathStyle: settings.S3_FORCE_PATH_STYLE,
  };
}

/** The platform's own blob store: the S3 bucket when S3_BUCKET is set, else `<dataDir>/blobs`. */
export function openPlatformBlobStore(settings: Settings, dataDir: string): Promise<BlobStore> {
  return settings.S3_BUCKET
    ? openBlobStore({ s3: s3OptionsFromSettings(settings, settings.S3_BUCKET) })
    : openBlobStore({ root: join(dataDir, 'blobs') });
}
