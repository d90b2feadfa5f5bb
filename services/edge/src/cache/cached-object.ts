/** An object as the edge holds and serves it: immutable bytes with the origin's strong validator. */
export interface CachedObject {
  key: string;
  body: Buffer;
  /** Strong ETag, quoted, as the origin gave it (the object's SHA-256). */
  etag: string;
  contentType: string;
}

/** Asset id of a blob key `assets/<assetId>/…`, for the "which assets do I hold" report. */
export function assetIdOfKey(key: string): string | undefined {
  return /^assets\/([^/]+)\//.exec(key)?.[1];
}
