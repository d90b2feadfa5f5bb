import type { Readable } from 'node:stream';

export interface BlobInfo {
  key: string;
  size: number;
  /** Hex SHA-256 of the whole object, computed while it was written. */
  sha256: string;
  contentType: string;
  lastModified: Date;
}

export interface ByteRange {
  start: number;
  /** Inclusive; absent means to the end. */
  end?: number;
}

export interface BlobRead {
  info: BlobInfo;
  body: Readable;
  /** The satisfied inclusive range, when one was asked for. */
  range?: { start: number; end: number };
}

/**
 * Object storage. Writes are atomic (a crashed write leaves nothing visible) and record SHA-256.
 * Keys are relative, '/'-separated, without '..', empty segments, backslashes or control characters:
 * anything else throws InvalidKeyError before touching storage.
 *
 * @example
 *   await blobs.put('assets/a1/master.m3u8', Buffer.from(text), { contentType: 'application/vnd.apple.mpegurl' });
 *   const { body } = await blobs.get('assets/a1/v0/seg_1.m4s', { start: 0, end: 1023 });
 */
export interface BlobStore {
  put(key: string, body: Readable | Buffer | string, options?: { contentType?: string }): Promise<BlobInfo>;
  /** Throws NotFoundError when absent; RangeNotSatisfiableError when the range starts past the end. */
  get(key: string, range?: ByteRange): Promise<BlobRead>;
  head(key: string): Promise<BlobInfo | undefined>;
  /** Deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Objects whose key starts with prefix, in key order. */
  list(prefix: string): AsyncIterable<BlobInfo>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
