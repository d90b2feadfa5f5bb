/**
 * Blobs in any S3-compatible object store.
 *
 * SHA-256 is stored as user metadata (`x-amz-meta-sha256`), which S3 takes when an object is created,
 * while the hash is only known once the body has been read. Of the two ways out, this adapter spools:
 * the body is read (and hashed) into memory up to `spoolMemoryBytes`, into a local temp file past that,
 * then uploaded in one PutObject or a multipart upload with the hash already in its metadata.
 * - Upload-to-a-temp-key-then-CopyObject(REPLACE) would avoid the local copy, but CopyObject stops at
 *   5 GiB (film masters pass that), above which it needs UploadPartCopy, which s3rver (the only S3 we
 *   can test against here) does not implement: the big-file path would ship untested. It also doubles
 *   the writes inside the store and leaves orphaned temp keys after a crash, which only a bucket
 *   lifecycle rule would ever clean.
 * - Spooling costs local disk equal to the largest body in flight and a second local read, both cheap
 *   next to the network upload; it makes every upload retryable part by part, and a source that fails
 *   half-way fails before a single byte reaches S3.
 * S3 makes an object visible only when its PutObject or CompleteMultipartUpload succeeds, so no reader
 * ever sees half an object; a failed multipart upload is aborted.
 */
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NotFoundError } from '@marquee/core';
import type { BlobInfo, BlobRead, BlobStore, ByteRange } from './port.js';
import { contentTypeFor, DEFAULT_CONTENT_TYPE } from './content-type.js';
import { BlobStoreUnavailableError, RangeNotSatisfiableError } from './errors.js';
import { compareKeys, keyProblem, validateKey, validatePrefix } from './keys.js';
import { checkRange, rangeHeader, resolveRange } from './range.js';
import { connectS3, ensureBucket, type S3Connection } from './s3-connection.js';
import { isMissing, isUnsatisfiableRange, translateS3Error } from './s3-errors.js';
import { spoolBody } from './spool.js';
import { removeStaleTempFiles } from './temp-files.js';

export interface S3BlobOptions {
  /** e.g. http://127.0.0.1:9000 for MinIO; absent means AWS itself for `region`. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`: needed by MinIO, s3rver and most self-hosted stores. */
  forcePathStyle: boolean;
  /** Folder inside the bucket under which every key lives, so several stores can share a bucket. */
  prefix?: string;
  /** Create the bucket at open when it is absent (default true). */
  createBucket?: boolean;
  /** Where bodies larger than spoolMemoryBytes are spooled (default: <os tmpdir>/marquee-blob-spool). */
  spoolDir?: string;
  /** Bodies up to this size are hashed in memory (default 8 MiB). */
  spoolMemoryBytes?: number;
  /** Multipart part size; S3's minimum is 5 MiB (default 16 MiB). */
  partSizeBytes?: number;
}

const MiB = 1024 * 1024;
/** Parts uploaded at once per put, and heads in flight per list page. */
const CONCURRENCY = 4;
const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;

export async function openS3BlobStore(options: S3BlobOptions): Promise<BlobStore> {
  const prefix = options.prefix ? `${validateKey(options.prefix.replace(/\/+$/, ''))}/` : '';
  const spoolDir = options.spoolDir ?? join(tmpdir(), 'marquee-blob-spool');
  await mkdir(spoolDir, { recursive: true });
  await removeStaleTempFiles(spoolDir);
  const connection = connectS3(options);
  try {
    await ensureBucket(connection, options.region, options.createBucket ?? true);
  } catch (error) {
    connection.client.destroy();
    throw error;
  }
  return new S3BlobStore(connection, prefix, options, spoolDir);
}

class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly endpoint: string;
  private readonly spoolMemoryBytes: number;
  private readonly partSizeBytes: number;

  constructor(
    connection: S3Connection,
    /** '' or a valid key ending in '/': the folder of the bucket this store lives in. */
    private readonly prefix: string,
    options: S3BlobOptions,
    private readonly spoolDir: string,
  ) {
    ({ client: this.client, bucket: this.bucket, endpoint: this.endpoint } = connection);
    this.spoolMemoryBytes = options.spoolMemoryBytes ?? 8 * MiB;
    this.partSizeBytes = Math.max(options.partSizeBytes ?? 16 * MiB, 5 * MiB);
  }

  async put(
    key: string,
    body: Readable | Buffer | string,
    options?: { contentType?: string },
  ): Promise<BlobInfo> {
    validateKey(key);
    const contentType = contentTypeFor(options?.contentType);
    const spooled = await spoolBody(body, { dir: this.spoolDir, memoryBytes: this.spoolMemoryBytes });
    try {
      const upload = new Upload({
        client: this.client,
        params: {
          Bucket: this.bucket,
          Key: this.prefix + key,
          Body: spooled.open(),
          ContentType: contentType,
          Metadata: { sha256: spooled.sha256 },
        },
        partSize: this.partSizeBytes,
        queueSize: CONCURRENCY,
        leavePartsOnError: false, // abort the multipart upload, so no parts linger (and are billed)
      });
      await upload.done();
    } catch (error) {
      throw translateS3Error(error, this.endpoint);
    } finally {
      await spooled.dispose();
    }
    // PutObject does not return the server's Last-Modified; our clock is close and saves a HEAD per put.
    return { key, size: spooled.size, sha256: spooled.sha256, contentType, lastModified: new Date() };
  }

  async get(key: string, range?: ByteRange): Promise<BlobRead> {
    validateKey(key);
    if (range) checkRange(key, range);
    let out;
    try {
      out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + key,
          Range: range && rangeHeader(range),
        }),
      );
    } catch (error) {
      if (range && isUnsatisfiableRange(error)) {
        throw new RangeNotSatisfiableError(key, range, 'starts past the end of the object');
      }
      if (isMissing(error)) throw new NotFoundError('blob', key);
      throw translateS3Error(error, this.endpoint);
    }
    if (!(out.Body instanceof Readable)) throw new Error(`S3 answered GET ${key} without a body stream`);
    const body = out.Body;
    if (!range) return { info: this.infoFrom(key, out, out.ContentLength ?? 0), body };
    const match = CONTENT_RANGE.exec(out.ContentRange ?? '');
    if (!match) {
      body.destroy();
      throw this.unavailable(`it ignored the Range header of GET ${key}`);
    }
    const [start, end, size] = match.slice(1).map(Number) as [number, number, number];
    // Trust, but check what came back against what was asked: s3rver answers `bytes 0-0/0` for an empty
    // object where S3 says 416, and reads `bytes=0-0` as the whole object.
    let span: { start: number; end: number };
    try {
      span = resolveRange(key, range, size);
    } catch (error) {
      body.destroy();
      throw error;
    }
    if (start !== span.start || end < span.end) {
      body.destroy();
      throw this.unavailable(
        `it answered bytes ${start}-${end} to GET ${key} bytes ${span.start}-${span.end}`,
      );
    }
    const exact = end > span.end ? Readable.from(firstBytes(body, span.end - span.start + 1)) : body;
    return { info: this.infoFrom(key, out, size), body: exact, range: span };
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    validateKey(key);
    return this.headObject(key);
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (error) {
      if (!isMissing(error)) throw translateS3Error(error, this.endpoint);
    }
  }

  /**
   * ListObjectsV2 gives key, size and date but not the content type or the SHA-256 metadata, so each
   * listed object costs a HeadObject too (CONCURRENCY in flight, order kept). Callers that list large
   * folders should know it is one request per object; list is for housekeeping, not hot paths.
   */
  async *list(prefix: string): AsyncIterable<BlobInfo> {
    validatePrefix(prefix);
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            ContinuationToken: token,
          }),
        );
      } catch (error) {
        throw translateS3Error(error, this.endpoint);
      }
      const keys = (page.Contents ?? [])
        .map((object) => (object.Key ?? '').slice(this.prefix.length))
        .filter((key) => keyProblem(key) === undefined) // written by another tool; not addressable here
        // S3 already lists in UTF-8 byte order; s3rver lists in directory order. Sorting a page (at most
        // 1000 keys) costs nothing and keeps such stores right for any folder that fits in one page.
        .sort(compareKeys);
      yield* this.headInOrder(keys);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async *headInOrder(keys: string[]): AsyncGenerator<BlobInfo> {
    // Settled results, so a failing head is never an unhandled rejection while an earlier one is awaited.
    const settle = (key: string) =>
      this.headObject(key).then(
        (info) => ({ info }),
        (error: unknown) => ({ error }),
      );
    const inFlight = keys.slice(0, CONCURRENCY).map(settle);
    for (let next = CONCURRENCY; inFlight.length > 0; next += 1) {
      const result = await inFlight.shift()!;
      if (next < keys.length) inFlight.push(settle(keys[next]!));
      if ('error' in result) throw result.error;
      if (result.info) yield result.info; // undefined: deleted since the listing
    }
  }

  private async headObject(key: string): Promise<BlobInfo | undefined> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      return this.infoFrom(key, out, out.ContentLength ?? 0);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw translateS3Error(error, this.endpoint);
    }
  }

  /** sha256 is '' for an object written without our metadata (by another tool). */
  private infoFrom(
    key: string,
    out: { Metadata?: Record<string, string>; ContentType?: string; LastModified?: Date },
    size: number,
  ): BlobInfo {
    return {
      key,
      size,
      sha256: out.Metadata?.sha256 ?? '',
      contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
      lastModified: out.LastModified ?? new Date(0),
    };
  }

  private unavailable(cause: string): BlobStoreUnavailableError {
    return new BlobStoreUnavailableError(this.endpoint, cause);
  }
}

/** The first `count` bytes of `body`; leaving the loop early destroys the rest of the response. */
async function* firstBytes(body: Readable, count: number): AsyncGenerator<Buffer> {
  let left = count;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (chunk.length >= left) {
      yield chunk.subarray(0, left);
      return;
    }
    left -= chunk.length;
    yield chunk;
  }
}
