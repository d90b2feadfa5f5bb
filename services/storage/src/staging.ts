import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import type { Settings } from '@marquee/core';
import type { DataStore } from '@tus/utils';

export interface Staging {
  datastore: DataStore;
  read: (uploadId: string) => Promise<Readable>;
  remove: (uploadId: string) => Promise<void>;
  /** Bytes received so far and the declared size, or undefined when tus no longer knows the upload. */
  progress(uploadId: string): Promise<{ offset: number; size?: number } | undefined>;
}

/**
 * Where tus keeps partial uploads: a folder in the data dir on one machine, or the S3 bucket when S3 is
 * configured, so that any storage instance can resume any upload. A finished upload is then moved into
 * the blob store (which hashes it) and removed from here.
 */
export async function openStaging(settings: Settings, dataDir: string): Promise<Staging> {
  let datastore: FileStore | S3Store;
  if (settings.S3_BUCKET) {
    datastore = new S3Store({
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
  } else {
    const directory = join(dataDir, 'uploads');
    await mkdir(directory, { recursive: true });
    datastore = new FileStore({ directory });
  }
  return {
    datastore,
    read: async (id) => datastore.read(id),
    remove: async (id) => {
      await datastore.remove(id).catch(async (err: unknown) => {
        if (datastore instanceof FileStore) await rm(join(dataDir, 'uploads', id), { force: true });
        else throw err;
      });
    },
    progress: async (id) => {
      try {
        const upload = await datastore.getUpload(id);
        return { offset: upload.offset, ...(upload.size === undefined ? {} : { size: upload.size }) };
      } catch {
        return undefined;
      }
    },
  };
}
