import { DomainError } from '@marquee/core';

/** A key (or list prefix) that could escape the store or is not portable across adapters. */
export class InvalidKeyError extends DomainError {
  constructor(key: string, reason: string) {
    // The key is echoed through JSON.stringify so control characters show up escaped in logs.
    super('blob.invalid_key', `invalid blob key ${JSON.stringify(key)}: ${reason}`, { key, reason });
  }
}

/** The asked range is malformed, or starts past the last byte of the object (HTTP 416). */
export class RangeNotSatisfiableError extends DomainError {
  constructor(key: string, range: { start: number; end?: number }, why: string, size?: number) {
    super('blob.range_not_satisfiable', `range ${range.start}-${range.end ?? ''} of blob ${key}: ${why}`, {
      key,
      start: range.start,
      end: range.end,
      size,
    });
  }
}

/**
 * The filesystem adapter cannot hold both an object `a` and an object `a/b` (a path is a file or a
 * directory, not both). S3 can; keys in this project never need it, so it is refused loudly.
 */
export class BlobKeyConflictError extends DomainError {
  constructor(key: string, conflictsWith: string) {
    super(
      'blob.key_conflict',
      `blob key ${key} conflicts with ${conflictsWith}: a key cannot be both an object and a folder of other keys`,
      { key, conflictsWith },
    );
  }
}

/** The object store cannot be used: unreachable, or refusing us. Names the endpoint, never the credentials. */
export class BlobStoreUnavailableError extends DomainError {
  constructor(endpoint: string, cause: string) {
    super('blob.unavailable', `blob store at ${endpoint} is unavailable: ${cause}`, { endpoint });
  }
}

/** An object file on disk that does not carry a valid header: written by something other than this adapter. */
export class CorruptBlobError extends DomainError {
  constructor(key: string, reason: string) {
    super('blob.corrupt', `blob ${key} is corrupt: ${reason}`, { key, reason });
  }
}
