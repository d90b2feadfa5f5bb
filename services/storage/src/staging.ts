import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { ERRORS } from '@tus/server';
import type { Settings } from '@marquee/core';
import type { DataStore } from '@tus/utils';
import { StagingS3Store } from './staging-s3-store.js';

/**
 * Where tus keeps uploads in progress, in the bucket on S3 (which the blob store shares) and under
 * `<data dir>/uploads/` on the filesystem. tus names an upload `staging/<upload id>`, so that on S3 its
 * objects (`<key>`, `<key>.info`, `<key>.part`) sit under one prefix apart from the blobs, where the
 * scrubber skips them and the lifecycle job lists them. Clients, URLs and the uploads table only ever
 * see the upload id.
 */
export const STAGING_PREFIX = 'staging/';

const UPLOAD_ID = /^[0-9a-f]{32}$/;

export function newUploadId(): string {
  return randomBytes(16).toString('hex');
}

export function isUploadId(value: string): boolean {
  return UPLOAD_ID.test(value);
}

/** The id tus stores an upload under. */
export function stagingIdOf(uploadId: string): string {
  return `${STAGING_PREFIX}${uploadId}`;
}

/** The upload id of a staging id, or of a staging object key (`.info`, `.part`, `.json` dropped). */
export function uploadIdOf(stagingKey: string): string | undefined {
  if (!stagingKey.startsWith(STAGING_PREFIX)) return undefined;
  const id = stagingKey.slice(STAGING_PREFIX.length).replace(/\.(info|part|json)$/, '');
  return isUploadId(id) ? id : undefined;
}

export interface Staging {
  /** The tus data store; it speaks staging ids (stagingIdOf). */
  datastore: DataStore;
  read: (uploadId: string) => Promise<Readable>;
  /** Deletes everything staged for the upload; nothing staged is not an error. */
  remove: (uploadId: string) => Promise<void>;
  /** Bytes received so far and the declared size, or undefined when tus no longer knows the upload. */
  progress: (uploadId: string) => Promise<{ offset: number; size?: number } | undefined>;
  /** Upload ids that have anything staged. */
  list: () => Promise<string[]>;
}

/**
 * Opens the staging store: the S3 bucket when S3 is configured, so that any storage instance can resume
 * any upload, else a folder in the data dir. A finished upload is moved into the blob store (which
 * hashes it) and then removed from here.
 */
export async function openStaging(settings: Settings, dataDir: string): Promise<Staging> {
  let datastore: StagingS3Store | FileStore;
  let removeStaged: (uploadId: string) => Promise<void>;
  let listStagingKeys: () => AsyncIterable<string>;
  if (settings.S3_BUCKET) {
    const s3 = new StagingS3Store({
      partSize: 8 * 1024 * 1024,
      s3ClientConfig: {
        bucket: settings.S3_BUCKET,
        region: settings.S3_REGION,
        ...(settings.S3_ENDPOINT ? { endpoint: settings.S3_ENDPOINT } : {}),
        forcePathStyle: settings.S3_FORCE_PATH_STYLE,
        // As in the blobs adapter (packages/platform/src/blobs/s3-connection.ts): the SDK's default
        // CRC32 trailers (aws-chunked bodies) are stored verbatim by s3rver and older self-hosted stores.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        credentials: {
          accessKeyId: settings.S3_ACCESS_KEY_ID ?? '',
          secretAccessKey: settings.S3_SECRET_ACCESS_KEY ?? '',
        },
      },
    });
    datastore = s3;
    removeStaged = (uploadId) => s3.remove(stagingIdOf(uploadId));
    listStagingKeys = () => s3.keys(STAGING_PREFIX);
  } else {
    const directory = join(dataDir, 'uploads');
    const stagingDir = join(directory, STAGING_PREFIX);
    await mkdir(stagingDir, { recursive: true });
    datastore = new FileStore({ directory });
    // FileStore.remove() stops at a missing data file and leaves its .json behind: remove both.
    removeStaged = async (uploadId) => {
      const file = join(directory, stagingIdOf(uploadId));
      await Promise.all([rm(file, { force: true }), rm(`${file}.json`, { force: true })]);
    };
    listStagingKeys = async function* () {
      for (const name of await readdir(stagingDir)) yield `${STAGING_PREFIX}${name}`;
    };
  }
  return {
    datastore,
    read: async (uploadId) => datastore.read(stagingIdOf(uploadId)),
    remove: async (uploadId) => {
      await removeStaged(uploadId).catch((err: unknown) => {
        if (err !== ERRORS.FILE_NOT_FOUND) throw err;
      });
    },
    progress: async (uploadId) => {
      try {
        const upload = await datastore.getUpload(stagingIdOf(uploadId));
        return { offset: upload.offset, ...(upload.size === undefined ? {} : { size: upload.size }) };
      } catch {
        return undefined;
      }
    },
    list: async () => {
      const ids = new Set<string>();
      for await (const key of listStagingKeys()) {
        const id = uploadIdOf(key);
        if (id) ids.add(id);
      }
      return [...ids];
    },
  };
}
