/**
 * On-disk format of one object of the filesystem adapter: a fixed 4 KiB header, then the bytes.
 *
 * Why the metadata lives inside the object file rather than beside it: rename(2) is the only atomic
 * commit a POSIX filesystem offers, and it moves one file. With a sidecar (`meta/<key>.json`) an
 * overwrite needs two renames, and a crash between them pairs the new metadata with the old bytes (or
 * the reverse) with nothing left to repair it from. With the header, one rename publishes bytes and
 * metadata together, and head/list cost one open + one 4 KiB read per object, the same as reading a
 * sidecar. Extended attributes would also travel with the rename, but Node has no API for them without
 * a native addon. The price: files under objects/ are not the raw bytes (read them through the port).
 * 4 KiB keeps the body page-aligned, so ranged reads touch the same pages they would without a header.
 */
import { CorruptBlobError } from './errors.js';

export const HEADER_BYTES = 4096;
const MAGIC = Buffer.from('MQBLOB1\n', 'latin1');
const LENGTH_AT = MAGIC.length;
const JSON_AT = LENGTH_AT + 4;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface ObjectHeader {
  size: number;
  sha256: string;
  contentType: string;
}

export function encodeHeader(header: ObjectHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  // contentTypeFor caps the content type at 255 bytes, so the JSON (< 400 bytes) always fits.
  if (JSON_AT + json.length > HEADER_BYTES)
    throw new Error(`blob header of ${json.length} bytes does not fit`);
  const out = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32BE(json.length, LENGTH_AT);
  json.copy(out, JSON_AT);
  return out;
}

/** Parses the first HEADER_BYTES of an object file; `key` only names the object in the error. */
export function decodeHeader(key: string, bytes: Buffer): ObjectHeader {
  if (bytes.length < JSON_AT || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new CorruptBlobError(key, 'no Marquee blob header');
  }
  const length = bytes.readUInt32BE(LENGTH_AT);
  if (JSON_AT + length > bytes.length) throw new CorruptBlobError(key, 'truncated header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.subarray(JSON_AT, JSON_AT + length).toString('utf8'));
  } catch {
    throw new CorruptBlobError(key, 'unreadable header');
  }
  const { size, sha256, contentType } = (parsed ?? {}) as Partial<ObjectHeader>;
  if (
    !Number.isSafeInteger(size) ||
    (size as number) < 0 ||
    typeof sha256 !== 'string' ||
    !SHA256_HEX.test(sha256)
  ) {
    throw new CorruptBlobError(key, 'header without size and sha256');
  }
  if (typeof contentType !== 'string') throw new CorruptBlobError(key, 'header without content type');
  return { size: size as number, sha256, contentType };
}
