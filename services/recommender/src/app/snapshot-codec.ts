import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { CatalogEntry } from './catalog.js';
import { snapshotFromParts, snapshotParts, type SnapshotParts } from './snapshot-transfer.js';
import type { ModelSnapshot } from './training.js';

/**
 * The published form of a ModelSnapshot (what one trainer replica writes to the blob store and every
 * other replica loads): `MQRM`, a u32 format version, a u32 header length, a JSON header, then the
 * model arrays in a fixed order. Bump SNAPSHOT_FORMAT whenever the layout or a model's meaning changes:
 * a replica refuses any other format (it keeps its model until the trainer publishes one it can read),
 * so a rolling upgrade never serves a model it would misread.
 */
/** 2: EASE over the active items (`easeItems` of them, their indices before the weights). */
export const SNAPSHOT_FORMAT = 2;
const MAGIC = Buffer.from('MQRM');

export class IncompatibleSnapshotError extends Error {
  constructor(reason: string) {
    super(`model snapshot rejected: ${reason}`);
    this.name = 'IncompatibleSnapshotError';
  }
}

const Count = Type.Integer({ minimum: 0 });
const Nullable = Type.Union([Type.String(), Type.Null()]);
/** The JSON header; its titles are CatalogEntry (maturity is checked as a string, as before). */
const HeaderSchema = Type.Object({
  version: Type.String(),
  personalModel: Type.Union([Type.Literal('ease'), Type.Literal('itemknn'), Type.Literal('none')]),
  profiles: Count,
  interactions: Count,
  titles: Type.Array(
    Type.Object({
      titleId: Type.String(),
      name: Type.String(),
      year: Type.Number(),
      maturity: Type.String(),
      genres: Type.Array(Type.String()),
      publishedAt: Type.String(),
      seriesId: Nullable,
      posterUrl: Nullable,
    }),
  ),
  n: Count,
  k: Count,
  activeItems: Count,
  easeItems: Count,
});
const headerCheck = TypeCompiler.Compile(HeaderSchema);

interface Header {
  version: string;
  personalModel: ModelSnapshot['personalModel'];
  profiles: number;
  interactions: number;
  titles: CatalogEntry[];
  n: number;
  k: number;
  activeItems: number;
  easeItems: number;
}

/** Hex SHA-256 of an encoded snapshot, as the pointer records it. */
export function snapshotHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `titles` are the training input's entries (episodes included: they map a play onto its series). */
export function encodeSnapshot(snapshot: ModelSnapshot, titles: readonly CatalogEntry[]): Buffer {
  // snapshotParts moves nothing here (no transfer list is used): the arrays stay the snapshot's own.
  const { parts } = snapshotParts(snapshot, titles);
  const header: Header = {
    version: parts.version,
    personalModel: parts.personalModel,
    profiles: parts.profiles,
    interactions: parts.interactions,
    titles: parts.titles,
    n: parts.itemKnn.n,
    k: parts.itemKnn.k,
    activeItems: parts.activeItems,
    easeItems: parts.ease?.items.length ?? 0,
  };
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(12);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(SNAPSHOT_FORMAT, 4);
  prefix.writeUInt32LE(json.length, 8);
  const arrays = [parts.itemKnn.items, parts.itemKnn.sims, parts.popularity, parts.trending];
  if (parts.ease) arrays.push(parts.ease.items, parts.ease.weights);
  const bytes = arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  return Buffer.concat([prefix, json, ...bytes]);
}

/** Reads a published snapshot; throws IncompatibleSnapshotError for anything it cannot trust. */
export function decodeSnapshot(bytes: Buffer, expected: { version: string; sha256: string }): ModelSnapshot {
  if (snapshotHash(bytes) !== expected.sha256) throw new IncompatibleSnapshotError('content hash mismatch');
  if (bytes.length < 12 || !bytes.subarray(0, 4).equals(MAGIC))
    throw new IncompatibleSnapshotError('not a model snapshot');
  const format = bytes.readUInt32LE(4);
  if (format !== SNAPSHOT_FORMAT)
    throw new IncompatibleSnapshotError(`format ${format}, this replica reads ${SNAPSHOT_FORMAT}`);
  const headerEnd = 12 + bytes.readUInt32LE(8);
  if (headerEnd > bytes.length) throw new IncompatibleSnapshotError('truncated header');
  let header: unknown;
  try {
    header = JSON.parse(bytes.subarray(12, headerEnd).toString('utf8'));
  } catch {
    throw new IncompatibleSnapshotError('unreadable header');
  }
  checkHeader(header, expected.version);
  const { n, k, easeItems: m } = header;
  if (header.personalModel === 'ease' && (m === 0 || m > n))
    throw new IncompatibleSnapshotError(`EASE over ${m} items of ${n}`);
  let at = headerEnd;
  const take = <A extends Int32Array | Float32Array>(make: (b: ArrayBuffer) => A, length: number): A => {
    const end = at + length * 4;
    if (end > bytes.length) throw new IncompatibleSnapshotError('truncated arrays');
    // Copied out of the buffer: its offset need not be 4-byte aligned, and the model outlives it.
    const copy = bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + end) as ArrayBuffer;
    at = end;
    return make(copy);
  };
  const parts: SnapshotParts = {
    version: header.version,
    personalModel: header.personalModel,
    profiles: header.profiles,
    interactions: header.interactions,
    titles: header.titles,
    itemKnn: {
      n,
      k,
      items: take((b) => new Int32Array(b), n * k),
      sims: take((b) => new Float32Array(b), n * k),
    },
    popularity: take((b) => new Float32Array(b), n),
    trending: take((b) => new Float32Array(b), n),
    activeItems: header.activeItems,
    ease:
      header.personalModel === 'ease'
        ? { items: take((b) => new Int32Array(b), m), weights: take((b) => new Float32Array(b), m * m) }
        : undefined,
  };
  if (parts.ease?.items.some((item, at) => item >= n || (at > 0 && item <= parts.ease!.items[at - 1]!)))
    throw new IncompatibleSnapshotError('EASE items out of order or range');
  if (at !== bytes.length) throw new IncompatibleSnapshotError('trailing bytes after the arrays');
  const snapshot = snapshotFromParts(parts);
  if (snapshot.catalog.titles.length !== n)
    throw new IncompatibleSnapshotError(`catalog has ${snapshot.catalog.titles.length} titles, models ${n}`);
  return snapshot;
}

function checkHeader(header: unknown, version: string): asserts header is Header {
  if (!headerCheck.Check(header)) {
    const first = headerCheck.Errors(header).First();
    throw new IncompatibleSnapshotError(
      `bad header at ${first?.path || '/'}: ${first?.message ?? 'invalid'}`,
    );
  }
  if (header.version !== version)
    throw new IncompatibleSnapshotError(`holds version ${header.version}, pointer says ${version}`);
}
